package org.chemfit.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.Bounds;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.FailurePolicy;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.QuantityComputer;
import org.chemfit.QuantityComputerObjectiveFunction;
import org.chemfit.Reducer;
import org.chemfit.fit.Fitter;
import org.jspecify.annotations.Nullable;

/**
 * What a job file becomes: the objective built from its terms, the initial parameters, bounds and
 * fixed names, each term's reference values (for reports), and a count of the fit's terms running now (for
 * the progress display). Thin by design: the work is done by the library's classes.
 *
 * @implNote Thread-safe once built; {@link #close()} releases the threads it created.
 */
final class FitPlan implements AutoCloseable {

    final JobFile job;
    final CombinedObjectiveFunction combined;
    final ObjectiveFunction objective;
    final List<Map<String, double[]>> references = new ArrayList<>();
    /**
     * Each fit term's items, in the order of its reference values: the structures' tags of a term
     * made of one sub-term per structure; empty for a term whose items are the elements of its
     * quantities.
     */
    final List<List<String>> items = new ArrayList<>();
    /**
     * For each fit term, its quantities that hold an array per sub-term (an atoms term's forces),
     * each with the number of its reference values in each sub-term; empty for the other terms.
     */
    final List<Map<String, int[]>> lengths = new ArrayList<>();
    /** The validation terms (held-out data), never part of {@link #objective}; null when the job has none. */
    final @Nullable CombinedObjectiveFunction validationCombined;

    private final @Nullable ObjectiveFunction validation;
    /** Each validation term's reference values, in the order of {@code job.validation()}. */
    final List<Map<String, double[]>> validationReferences = new ArrayList<>();
    /** Each validation term's items, as {@link #items}. */
    final List<List<String>> validationItems = new ArrayList<>();
    /** Each validation term's lengths, as {@link #lengths}. */
    final List<Map<String, int[]>> validationLengths = new ArrayList<>();
    /** The coordinate of each scan term (fit or validation), by term name: one value per structure. */
    final Map<String, double[]> coordinates = new LinkedHashMap<>();

    final AtomicInteger running = new AtomicInteger();
    /**
     * What the terms being built count themselves in: {@link #running} for the fit's, another
     * count for the validation terms, which may run beside the fit or after it and are not its
     * progress.
     */
    private AtomicInteger counting = running;
    /** Where external terms' run directories go. */
    final Path runDirectory;
    /**
     * Whether the plan is a cluster worker's: the run directories of its cancelled runs are removed
     * under {@code keep: failed} as those of successful ones (no resumed fit tidies up after a worker).
     */
    private final boolean worker;

    private final List<AutoCloseable> resources = new ArrayList<>();
    /** The external terms' computers by term name, for checking their templates. */
    private final Map<String, org.chemfit.external.FileBasedQuantityComputer> externals = new LinkedHashMap<>();
    /** The computers of the external terms of the fit (not of the validation terms), in the job's order. */
    private final List<org.chemfit.external.FileBasedQuantityComputer> fitExternals = new ArrayList<>();
    /** Why the optimizer's method cannot fit this objective (least squares of a loss that is not a sum of squares), or null. */
    private final @Nullable String residualsProblem;

    /** Where the terms run when not on this machine's threads: a cluster. */
    @FunctionalInterface
    interface Placement {
        /**
         * @param combined the job's objective
         * @param resources receives what must be closed when the fit ends
         * @return the objective to fit
         */
        ObjectiveFunction wrap(CombinedObjectiveFunction combined, List<AutoCloseable> resources);
    }

    /**
     * The folder inside a job's run directory that {@code chemfit eval} puts its run directories
     * in, so that they are not taken for the fit's (whose names are alike: {@code curve-e0-0-p...}).
     */
    static final String EVAL_RUNS = "eval";

    private FitPlan(
            JobFile job,
            int workers,
            Path outputFolder,
            @Nullable Placement placement,
            boolean worker,
            @Nullable String runsFolder) {
        this.job = job;
        this.worker = worker;
        Path runs =
                job.execution().runDirectory() != null ? job.execution().runDirectory() : outputFolder.resolve("runs");
        this.runDirectory = runsFolder == null ? runs : runs.resolve(runsFolder);
        List<ObjectiveFunction> terms = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        List<String> names = new ArrayList<>();
        FailurePolicy policy = job.combination().policy(job.execution().retries());
        Map<String, String> programs = ExternalTerms.programs(job); // once per job: every run uses the same program
        for (JobFile.TermSpec t : job.terms()) {
            Map<String, double[]> reference = new LinkedHashMap<>();
            Map<String, int[]> perItem = new LinkedHashMap<>();
            ObjectiveFunction term = term(t, reference, perItem, policy, programs);
            terms.add(term);
            items.add(itemsOf(term));
            lengths.add(perItem);
            if (t.kind() == JobFile.TermKind.EXTERNAL) {
                // an external term's computer is file-based; the validation terms are not built yet
                fitExternals.add(java.util.Objects.requireNonNull(externals.get(t.name()), t.name()));
            }
            references.add(reference);
            weights.add(t.weight());
            names.add(t.name());
        }
        Reducer reducer = job.combination().reducer();
        this.combined = new CombinedObjectiveFunction(terms, weights)
                .withTermNames(names)
                .withReducer(reducer)
                .withFailurePolicy(policy);
        String residuals = null;
        if (Methods.create(job.optimizer()).needsResiduals() && !org.chemfit.Residuals.available(combined)) {
            try {
                org.chemfit.Residuals.check(combined);
            } catch (IllegalArgumentException e) {
                // the job reader reports these at their lines; this catches a job built otherwise
                // (reported by refuseProblems with the templates' problems)
                residuals = "optimizer.method '" + job.optimizer().method() + "': " + e.getMessage()
                        + "; choose a method that takes any loss, or a loss that is a sum of squares";
            }
        }
        this.residualsProblem = residuals;
        // a plan that refuseProblems refuses starts no cluster member
        this.objective = placement != null && residuals == null
                ? placement.wrap(combined, resources)
                : Concurrency.wrap(combined, workers, resources);
        if (job.validation().isEmpty()) {
            this.validationCombined = null;
            this.validation = null;
        } else {
            counting = new AtomicInteger();
            List<ObjectiveFunction> vterms = new ArrayList<>();
            List<Double> vweights = new ArrayList<>();
            List<String> vnames = new ArrayList<>();
            for (JobFile.TermSpec t : job.validation()) {
                Map<String, double[]> reference = new LinkedHashMap<>();
                Map<String, int[]> perItem = new LinkedHashMap<>();
                ObjectiveFunction term = term(t, reference, perItem, policy, programs);
                vterms.add(term);
                validationReferences.add(reference);
                validationItems.add(itemsOf(term));
                validationLengths.add(perItem);
                vweights.add(t.weight());
                vnames.add(t.name());
            }
            // A failed validation term is reported, never a reason to stop: skip it.
            this.validationCombined = new CombinedObjectiveFunction(vterms, vweights)
                    .withTermNames(vnames)
                    .withReducer(reducer)
                    .withFailurePolicy(FailurePolicy.skip());
            this.validation = Concurrency.wrap(validationCombined, workers, resources);
        }
    }

    /**
     * One term of the job, fit or validation; its reference values go to {@code reference}, and the
     * lengths of its quantities that hold an array per sub-term to {@code lengths}.
     */
    private ObjectiveFunction term(
            JobFile.TermSpec t,
            Map<String, double[]> reference,
            Map<String, int[]> lengths,
            FailurePolicy policy,
            Map<String, String> programs) {
        // each settings record names its own kind, so the casts below cannot fail
        return switch (t.kind()) {
            case ATOMS -> atomsTerm(t, (JobFile.AtomsConfig) t.config(), reference, lengths, policy);
            case CRYSTAL -> crystalTerm(t, (JobFile.CrystalConfig) t.config(), reference);
            case EXTERNAL -> externalTerm(t, (JobFile.ExternalConfig) t.config(), reference, programs);
        };
    }

    /**
     * @return the names of a term's sub-terms, one per structure (known before any evaluation, so
     *     that the rows of a term that was never evaluated are named as those of one that was)
     */
    private static List<String> itemsOf(ObjectiveFunction term) {
        return term instanceof CombinedObjectiveFunction c ? c.termNames() : List.of();
    }

    /** A crystal term: the properties of one relaxed cubic cell. */
    private ObjectiveFunction crystalTerm(
            JobFile.TermSpec t, JobFile.CrystalConfig c, Map<String, double[]> reference) {
        reference.putAll(c.reference());
        return new Counted(
                new QuantityComputerObjectiveFunction(t.loss().function(reference), AtomsTerms.crystal(c)), counting);
    }

    /** An external term: a program run in its own run directory. */
    private ObjectiveFunction externalTerm(
            JobFile.TermSpec t,
            JobFile.ExternalConfig x,
            Map<String, double[]> reference,
            Map<String, String> programs) {
        reference.putAll(x.reference());
        QuantityComputer computer =
                ExternalTerms.computer(t.name(), x, job.execution(), runDirectory, job.folder(), programs, !worker);
        if (computer instanceof org.chemfit.external.FileBasedQuantityComputer f) {
            externals.put(t.name(), f);
        }
        return new Counted(new QuantityComputerObjectiveFunction(t.loss().function(reference), computer), counting);
    }

    /**
     * Evaluates the validation terms once; they are never part of the fit's objective.
     *
     * @param params the parameters
     * @return the context with one child per validation term, or null when the job has none
     */
    @Nullable
    EvaluationContext evaluateValidation(Parameters params) {
        if (validation == null) {
            return null;
        }
        EvaluationContext ctx = new EvaluationContext(params, "validation");
        validation.evaluate(params, ctx);
        return ctx;
    }

    /**
     * An atoms term: one sub-term per structure of its reference CSV, named by the structure's
     * tag; a mean squared error is the mean over the structures of each one's squared error. With
     * forces, a structure's loss is its energy's loss plus the forces' weight times its forces'
     * loss, each of the term's loss type, a mean squared error of the forces being their mean over
     * the structure's 3N components.
     */
    private CombinedObjectiveFunction atomsTerm(
            JobFile.TermSpec t,
            JobFile.AtomsConfig a,
            Map<String, double[]> reference,
            Map<String, int[]> lengths,
            FailurePolicy policy) {
        JobFile.Coordinate coordinate = job.units().coordinates().get(t.name());
        if (coordinate != null) {
            coordinates.put(t.name(), org.chemfit.atoms.ReferenceCsv.column(a.reference(), coordinate.column()));
        }
        List<org.chemfit.atoms.ReferenceEntry> entries = AtomsTerms.readReference(a);
        org.chemfit.atoms.Potential potential = AtomsTerms.potential(a);
        boolean mean = t.loss().type() == JobFile.LossType.MEAN_SQUARED_ERROR;
        Map<String, Double> energyScale = new LinkedHashMap<>();
        Map<String, Double> forcesScale = new LinkedHashMap<>();
        t.loss().scales().forEach((q, v) -> (q.equals("forces") ? forcesScale : energyScale).put(q, v));
        JobFile.LossSpec each = new JobFile.LossSpec(
                mean ? JobFile.LossType.SQUARED_ERROR : t.loss().type(), energyScale);
        // the forces of one structure: the mean over its components under mean_squared_error
        JobFile.LossSpec eachForces = new JobFile.LossSpec(t.loss().type(), forcesScale);
        List<double[]> forces = new ArrayList<>();
        List<ObjectiveFunction> subs = new ArrayList<>();
        List<String> tags = new ArrayList<>();
        double[] energies = new double[entries.size()];
        // every structure file that is missing or malformed, reported at once
        List<JobFileException.Problem> problems = new ArrayList<>();
        for (int i = 0; i < energies.length; i++) {
            org.chemfit.atoms.ReferenceEntry e = entries.get(i);
            energies[i] = e.energy();
            QuantityComputer c;
            if (!java.nio.file.Files.isRegularFile(e.file())) {
                problems.add(new JobFileException.Problem(
                        a.reference(),
                        e.line(),
                        0,
                        AtomsTerms.notAStructureFile("term '" + t.name() + "'", e, a.reference())));
                continue;
            }
            double[] f = null;
            try {
                c = AtomsTerms.computer(e, a, potential, job.structures());
                if (a.fitsForces()) {
                    f = job.structures().forces(e.file());
                }
            } catch (org.chemfit.atoms.InputFormatException x) {
                problems.add(new JobFileException.Problem(
                        x.file(), x.line(), 0, AtomsTerms.malformedStructure(x, a.reference(), e)));
                continue;
            }
            org.chemfit.LossFunction loss = each.function(Map.of("energy", new double[] {e.energy()}));
            if (f != null) {
                forces.add(f);
                loss = org.chemfit.LossFunctions.sum(
                        loss,
                        org.chemfit.LossFunctions.weighted(a.forcesWeight(), eachForces.function(Map.of("forces", f))));
            }
            subs.add(new Counted(new QuantityComputerObjectiveFunction(loss, c), counting));
            tags.add(e.tag());
        }
        if (!problems.isEmpty()) {
            throw new JobFileException(problems);
        }
        reference.put("energy", energies);
        if (a.fitsForces()) {
            int[] per = new int[forces.size()];
            int total = 0;
            for (int i = 0; i < per.length; i++) {
                per[i] = forces.get(i).length;
                total += per[i];
            }
            double[] all = new double[total];
            int at = 0;
            for (double[] f : forces) {
                System.arraycopy(f, 0, all, at, f.length);
                at += f.length;
            }
            reference.put("forces", all);
            lengths.put("forces", per);
        }
        return new CombinedObjectiveFunction(subs)
                .withTermNames(tags)
                .withReducer(mean ? Reducer.MEAN : Reducer.SUM)
                .withFailurePolicy(policy)
                .named(t.name());
    }

    /**
     * @param job the job
     * @param workers how many terms may run at once
     * @param outputFolder the fit's output folder (run directories go to its runs/ unless the job says otherwise)
     * @return the plan, reading every data file the job names
     * @throws BaseCommand.UserException when a data file is malformed or a setting is refused by the
     *     library (the message names file and line where there is one)
     */
    static FitPlan build(JobFile job, int workers, Path outputFolder) {
        return build(job, workers, outputFolder, null);
    }

    /**
     * @param job the job
     * @param workers how many terms may run at once on this machine (without a placement)
     * @param outputFolder where run directories go unless the job says otherwise
     * @param placement where the terms run instead (a cluster), or null
     * @return the plan
     * @throws BaseCommand.UserException as {@link #build(JobFile, int, Path)}
     */
    static FitPlan build(JobFile job, int workers, Path outputFolder, @Nullable Placement placement) {
        return build(job, workers, outputFolder, placement, false);
    }

    /**
     * The plan of a cluster worker ({@code chemfit worker}): one term at a time per task, and the run
     * directory of a cancelled run is removed under {@code keep: failed}, as a successful run's is
     * (see {@link org.chemfit.external.FileBasedQuantityComputer.Builder#keepCancelled}).
     *
     * @param job the job
     * @param outputFolder where run directories go unless the job says otherwise
     * @return the plan
     * @throws BaseCommand.UserException as {@link #build(JobFile, int, Path)}
     */
    static FitPlan forWorker(JobFile job, Path outputFolder) {
        return build(job, 1, outputFolder, null, true, null);
    }

    /**
     * The plan of {@code chemfit eval}: its run directories go to the folder {@value #EVAL_RUNS}
     * inside the job's run directory ({@code runs/eval/} of the output folder by default), apart
     * from the fit's.
     *
     * @param job the job
     * @param workers how many terms may run at once
     * @param outputFolder the fit's output folder
     * @return the plan
     * @throws BaseCommand.UserException as {@link #build(JobFile, int, Path)}
     */
    static FitPlan forEval(JobFile job, int workers, Path outputFolder) {
        return build(job, workers, outputFolder, null, false, EVAL_RUNS);
    }

    private static FitPlan build(
            JobFile job, int workers, Path outputFolder, @Nullable Placement placement, boolean worker) {
        return build(job, workers, outputFolder, placement, worker, null);
    }

    private static FitPlan build(
            JobFile job,
            int workers,
            Path outputFolder,
            @Nullable Placement placement,
            boolean worker,
            @Nullable String runsFolder) {
        try {
            return new FitPlan(job, workers, outputFolder, placement, worker, runsFolder);
        } catch (org.chemfit.external.TemplateException e) {
            // the first problem, then those of every other template, each at its line (and column)
            List<JobFileException.Problem> problems = new ArrayList<>();
            List<Throwable> all = new ArrayList<>(List.of(e));
            all.addAll(List.of(e.getSuppressed()));
            for (Throwable t : all) {
                if (t instanceof org.chemfit.external.TemplateException x) {
                    problems.add(new JobFileException.Problem(
                            Path.of(x.template()), x.line(), x.column(), "template does not compile: " + x.reason()));
                }
            }
            throw new JobFileException(problems);
        } catch (JobFileException e) {
            throw e; // its problems, each at its file and line
        } catch (IllegalArgumentException | org.chemfit.ChemFitException e) {
            throw new BaseCommand.UserException(e.getMessage());
        }
    }

    /**
     * Renders every external term's templates in memory with the initial parameters and the
     * term's variables, writing and running nothing; and says whether the optimizer's method can
     * fit the objective (least squares needs a sum of squares). Every caller that runs the plan's
     * optimizer calls this first.
     *
     * @throws JobFileException with a problem at the template's file and line for each term whose
     *     templates name something unknown, after the method's problem if there is one
     */
    void refuseProblems() {
        refuse(true);
    }

    /**
     * As {@link #refuseProblems()}, for a caller that runs no optimizer ({@code eval}): only the
     * templates are checked.
     *
     * @throws JobFileException with a problem at the template's file and line for each term whose
     *     templates name something unknown
     */
    void refuseTemplateProblems() {
        refuse(false);
    }

    private void refuse(boolean optimizing) {
        List<JobFileException.Problem> problems = new ArrayList<>();
        if (optimizing && residualsProblem != null) {
            problems.add(new JobFileException.Problem(job.file(), 0, 0, residualsProblem));
        }
        Parameters initial = initial();
        // a template that several terms render has the same problem in each: said once, naming them
        Map<List<Object>, java.util.Set<String>> byTemplateLine = new LinkedHashMap<>();
        externals.forEach((term, computer) -> {
            try {
                computer.checkTemplates(initial);
            } catch (org.chemfit.external.TemplateException e) {
                // the first unknown name, then every other one of the term's templates
                List<Throwable> all = new ArrayList<>(List.of(e));
                all.addAll(List.of(e.getSuppressed()));
                for (Throwable t : all) {
                    if (t instanceof org.chemfit.external.TemplateException x) {
                        byTemplateLine
                                .computeIfAbsent(
                                        List.of(x.template(), x.line(), x.column(), x.reason()),
                                        k -> new java.util.LinkedHashSet<>())
                                .add(term);
                    }
                }
            } catch (IllegalArgumentException e) {
                problems.add(new JobFileException.Problem(job.file(), 0, 0, "term '" + term + "': " + e.getMessage()));
            }
        });
        byTemplateLine.forEach((k, terms) -> problems.add(new JobFileException.Problem(
                JobReading.shownBeside(job.file(), job.folder(), Path.of((String) k.get(0))),
                (Integer) k.get(1),
                (Integer) k.get(2),
                termsNamed(terms) + ": " + k.get(3))));
        if (!problems.isEmpty()) {
            throw new JobFileException(problems);
        }
    }

    /** @return "term 'a'", or "terms 'a', 'b' and 'c'" */
    private static String termsNamed(java.util.Collection<String> names) {
        List<String> q = names.stream().map(n -> "'" + n + "'").toList();
        return q.size() == 1
                ? "term " + q.get(0)
                : "terms " + String.join(", ", q.subList(0, q.size() - 1)) + " and " + q.get(q.size() - 1);
    }

    /**
     * Warnings for the commands of external terms that run LAMMPS with {@code -screen none} while no
     * {@code log_files} names its log file: LAMMPS then writes its errors only there, and a failure
     * shows no more of the log than its last error line.
     *
     * @return one warning per such command, in the order of the terms
     */
    List<String> lammpsLogWarnings() {
        List<String> out = new ArrayList<>();
        externals.forEach((term, computer) -> computer.undeclaredLammpsLogs().forEach((i, log) -> {
            String command =
                    "term '" + term + "' command '" + computer.commands().get(i) + "'";
            out.add(
                    log.equals("none")
                            ? command + " runs LAMMPS with -screen none and -log none, which leaves its errors"
                                    + " nowhere; give it -log FILE and the term log_files: [FILE] so that a failure"
                                    + " shows them"
                            : command + " runs LAMMPS with -screen none, which writes its errors only to its log"
                                    + " file " + log + "; add log_files: [" + log + "] to the term so that a"
                                    + " failure shows them");
        }));
        return out;
    }

    /**
     * Warnings for arguments of the commands of external terms that name a file beside the job file
     * (relative to its folder) that the term does not stage: a command runs in the term's run
     * directory, so {@code [python3, ext/sim.py]} there finds no {@code ext/sim.py} unless
     * {@code files}, {@code templates} or {@code links} put it there. The program itself (the first
     * word) is looked up beside the job file and needs no staging. A warning, not an error: a file of
     * that name may be written by an earlier command of the term. Also the script an interpreter is
     * given when it is nowhere ({@link #missingScript}).
     *
     * @return one warning per such argument, in the order of the terms and commands
     */
    List<String> unstagedFileWarnings() {
        List<String> out = new ArrayList<>();
        List<JobFile.TermSpec> all = new ArrayList<>(job.terms());
        all.addAll(job.validation());
        for (JobFile.TermSpec t : all) {
            if (!(t.config() instanceof JobFile.ExternalConfig x)) {
                continue;
            }
            java.util.Set<String> staged = new java.util.HashSet<>();
            staged.addAll(x.templates().keySet());
            staged.addAll(x.files().keySet());
            staged.addAll(x.links().keySet());
            for (List<String> command : x.commands()) {
                String code = shellCode(command);
                for (String arg : command.subList(Math.min(1, command.size()), command.size())) {
                    // the shell's code is looked at word by word below
                    if (!arg.equals(code) && unstaged(arg, staged, job.folder())) {
                        out.add("term '" + t.name() + "' command '" + String.join(" ", command) + "': " + arg
                                + " is a file beside the job file, but the command runs in the term's run directory,"
                                + " where it is not; " + stagingHint(arg) + ", or give its absolute path");
                    }
                }
                if (code != null) {
                    // a shell runs its code in the run directory: a file there, the program too, is looked for there
                    for (String word : code.trim().split("[\\s;&|<>()]+")) {
                        String arg = word.replaceAll("^[\"'`]+|[\"'`]+$", "");
                        if (unstaged(arg, staged, job.folder())) {
                            out.add("term '" + t.name() + "' command '" + String.join(" ", command) + "': " + arg
                                    + " is a file beside the job file, but the shell runs its code in the term's run"
                                    + " directory, where it is not; " + stagingHint(arg)
                                    + ", or give its absolute path");
                        }
                    }
                }
                String script = scriptOf(command);
                String missing = script == null ? null : missingScript(script, staged, job.folder());
                if (missing != null) {
                    out.add("term '" + t.name() + "' command '" + String.join(" ", command) + "': " + missing);
                }
            }
        }
        return out;
    }

    /**
     * @param arg a relative path to a file beside the job file
     * @return how to stage it into the run directory: under its own path ({@code files: {ext/sim.sh:
     *     ext/sim.sh}}), or, for a path out of the job's folder ({@code ../bin/sim.py}), which no staged
     *     name may be, under its file name, by which the command must then name it
     */
    static String stagingHint(String arg) {
        Path p = Path.of(arg).normalize();
        if (p.startsWith("..")) {
            String name = String.valueOf(p.getFileName());
            return "stage it with files: {" + name + ": " + arg + "} and name it " + name + " in the command (" + "./"
                    + name + " as the program)";
        }
        return "stage it with files: {" + p + ": " + p + "}";
    }

    /**
     * @return the code a shell is given to run ({@code sh -c "./sim.py > log"}: {@code ./sim.py > log}),
     *     or null for a command that is no shell's {@code -c}
     */
    static @Nullable String shellCode(List<String> command) {
        int k = programIndex(command);
        if (command.size() - k < 3 || !baseName(command.get(k)).matches("sh|bash|dash|zsh")) {
            return null;
        }
        for (int a = k + 1; a < command.size() - 1; a++) {
            String arg = command.get(a);
            if (!arg.startsWith("-")) {
                return null;
            }
            // -c alone, or among other one-letter options (-ec, -xc)
            if (!arg.startsWith("--") && arg.indexOf('c') > 0) {
                return command.get(a + 1);
            }
        }
        return null;
    }

    /**
     * An interpreter: its options after which code, not a script, follows ({@code python3 -c},
     * {@code perl -e}; a bare {@code -} reads the script from standard input), and its options
     * that take a value ({@code python3 -W ignore}, {@code bash -o pipefail}).
     */
    private record Interpreter(
            java.util.regex.Pattern name, java.util.Set<String> code, java.util.Set<String> valued) {}

    private static Interpreter interpreter(String name, java.util.Set<String> code, java.util.Set<String> valued) {
        return new Interpreter(java.util.regex.Pattern.compile(name), code, valued);
    }

    /** The interpreters whose first argument that is not an option is the script they run. */
    private static final List<Interpreter> INTERPRETERS = List.of(
            interpreter("(python|pypy)[0-9.]*", java.util.Set.of("-c", "-m"), java.util.Set.of("-W", "-X")),
            interpreter("sh|bash|dash|zsh", java.util.Set.of("-c", "-s"), java.util.Set.of("-o", "-O")),
            interpreter("perl", java.util.Set.of("-e", "-E"), java.util.Set.of("-I")),
            interpreter("ruby|lua[0-9.]*", java.util.Set.of("-e"), java.util.Set.of()),
            interpreter("node", java.util.Set.of("-e", "--eval", "-p", "--print"), java.util.Set.of("-r")),
            interpreter("julia", java.util.Set.of("-e", "-E"), java.util.Set.of("-t", "-p", "-J")),
            interpreter("Rscript", java.util.Set.of("-e"), java.util.Set.of()),
            interpreter("tclsh[0-9.]*", java.util.Set.of(), java.util.Set.of()));

    /**
     * @return the script a command runs when its program is an interpreter ({@code python3 sim.py},
     *     {@code /usr/bin/bash run.sh}), run directly or through {@code env}, {@code nice}, {@code
     *     nohup}, {@code time} or {@code timeout}: its first argument that is not an option; null for
     *     any other program (the script of {@code ssh host python3 x.py} is on another machine), for
     *     code given on the command line ({@code sh -c "..."}, {@code python3 -m pkg}), and for an
     *     argument holding white space, which is no path a job writes
     */
    static @Nullable String scriptOf(List<String> command) {
        int k = programIndex(command);
        if (k >= command.size() - 1) {
            return null;
        }
        String base = baseName(command.get(k));
        Interpreter it = INTERPRETERS.stream()
                .filter(i -> i.name().matcher(base).matches())
                .findFirst()
                .orElse(null);
        if (it == null) {
            return null;
        }
        for (int a = k + 1; a < command.size(); a++) {
            String arg = command.get(a);
            if (arg.equals("-") || it.code().contains(arg)) {
                return null;
            }
            // python3 -mpkg: the option and its module written together
            if (it.code().stream().anyMatch(c -> c.length() == 2 && arg.startsWith(c) && !arg.startsWith("--"))) {
                return null;
            }
            if (it.valued().contains(arg)) {
                a++;
            } else if (!arg.startsWith("-")) {
                return arg.chars().anyMatch(Character::isWhitespace) ? null : arg;
            }
        }
        return null;
    }

    /**
     * @return the index of the program a command runs in the end: past the wrappers that run the rest
     *     of the command on this machine, as it is ({@code env}, {@code nice}, {@code timeout},
     *     {@code nohup}, {@code time}) and their options; the command's size when nothing follows them
     */
    private static int programIndex(List<String> command) {
        int k = 0;
        while (k < command.size()) {
            String base = baseName(command.get(k));
            if (base.equals("env")) {
                k++;
                while (k < command.size()
                        && (command.get(k).startsWith("-") || command.get(k).contains("="))) {
                    k++;
                }
            } else if (base.equals("nice")) {
                k++;
                if (k < command.size() && command.get(k).equals("-n")) {
                    k += 2;
                } else if (k < command.size() && command.get(k).matches("-[0-9]+|--adjustment=.*")) {
                    k++;
                }
            } else if (base.equals("timeout")) {
                k++;
                while (k < command.size() && command.get(k).startsWith("-")) {
                    k += command.get(k).equals("-s") || command.get(k).equals("-k") ? 2 : 1;
                }
                k++; // the duration
            } else if (base.equals("nohup") || base.equals("time")) {
                k++;
            } else {
                break;
            }
        }
        return Math.min(k, command.size());
    }

    /** @return a program's name without its folder */
    private static String baseName(String program) {
        return program.substring(program.lastIndexOf('/') + 1);
    }

    /** The endings of the scripts an interpreter runs, which no earlier command of a term usually writes. */
    private static final java.util.Set<String> SCRIPT_ENDINGS =
            java.util.Set.of("py", "sh", "bash", "pl", "rb", "r", "jl", "js", "lua", "tcl");

    /**
     * The script an interpreter is given ({@link #scriptOf}: {@code model.py}, {@code /home/me/run.sh})
     * when it is nowhere: not staged into the run directory, not a file beside the job file (for a relative
     * path), not a file at all (for an absolute one). The command would fail at the fit's first
     * evaluation, with the interpreter's own words; said before anything runs instead. A warning, not
     * an error: an earlier command of the term may write it.
     *
     * @return what is wrong, with a did-you-mean among the scripts of the folder it names, or null
     */
    static @Nullable String missingScript(String arg, java.util.Set<String> staged, Path folder) {
        if (arg.isEmpty() || arg.startsWith("-") || arg.contains("{") || arg.contains("=")) {
            return null;
        }
        int dot = arg.lastIndexOf('.');
        if (dot < 0
                || arg.indexOf('/', dot) >= 0
                || !SCRIPT_ENDINGS.contains(arg.substring(dot + 1).toLowerCase(java.util.Locale.ROOT))) {
            return null;
        }
        Path p;
        try {
            p = Path.of(arg);
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
        Path normal = p.normalize();
        if (!p.isAbsolute()) {
            for (String name : staged) {
                Path s = Path.of(name).normalize();
                if (normal.equals(s) || normal.startsWith(s)) {
                    return null;
                }
            }
        }
        Path file = p.isAbsolute() ? p : folder.resolve(p);
        if (java.nio.file.Files.exists(file)) {
            return null;
        }
        String where = p.isAbsolute()
                ? arg + " names no file"
                : arg + " is neither staged into the run directory (files, templates or links) nor a file beside"
                        + " the job file (" + file + ")";
        Path dir = file.getParent();
        String hint = "";
        if (dir != null && java.nio.file.Files.isDirectory(dir)) {
            List<String> scripts = new ArrayList<>();
            try (java.util.stream.Stream<Path> in = java.nio.file.Files.list(dir)) {
                in.map(f -> String.valueOf(f.getFileName()))
                        .filter(n -> n.endsWith(arg.substring(dot)))
                        .sorted()
                        .forEach(scripts::add);
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                // no suggestion
            }
            Path name = file.getFileName();
            String near = name == null ? null : org.chemfit.support.Names.suggest(name.toString(), scripts);
            if (near != null) {
                Path parent = p.getParent();
                hint = "; did you mean "
                        + (parent == null ? near : parent.resolve(near).toString()) + "?";
            }
        }
        return where + ": the command would fail at the fit's first evaluation, unless an earlier command of the"
                + " term writes it" + hint;
    }

    /**
     * @return whether a command's argument is a relative path to a regular file of the job's folder
     *     that no staged name (or staged folder) covers
     */
    private static boolean unstaged(String arg, java.util.Set<String> staged, Path folder) {
        if (arg.isEmpty() || arg.startsWith("-") || arg.contains("{") || arg.contains("=")) {
            return false; // an option, a template's expression, a setting
        }
        Path p;
        try {
            p = Path.of(arg);
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
        if (p.isAbsolute() || !java.nio.file.Files.isRegularFile(folder.resolve(p))) {
            return false;
        }
        Path normal = p.normalize();
        for (String name : staged) {
            Path s = Path.of(name).normalize();
            if (normal.equals(s) || normal.startsWith(s)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Warnings about the variables of external terms (fitted and validation) that make no
     * difference to what the term's templates write (see
     * {@link org.chemfit.external.FileBasedQuantityComputer#variablesTemplatesIgnore}): most often a
     * misspelt name, whose template takes its default instead. Call it after {@link
     * #refuseProblems()}, which finds the templates that do not render.
     *
     * @return one warning per such term, in the job's order
     */
    List<String> ignoredVariableWarnings() {
        List<String> warnings = new ArrayList<>();
        Parameters initial = initial();
        externals.forEach((term, computer) -> {
            List<String> ignored = computer.variablesTemplatesIgnore(initial);
            if (!ignored.isEmpty()) {
                warnings.add("term '" + term + "' variables: "
                        + String.join(
                                ", ", ignored.stream().map(v -> "'" + v + "'").toList())
                        + (ignored.size() == 1 ? " makes" : " make")
                        + " no difference to what its templates write (without "
                        + (ignored.size() == 1 ? "it" : "them")
                        + " they write the same: no template names "
                        + (ignored.size() == 1 ? "it" : "them")
                        + ", or only where a default or a test stands in): is a name misspelt?");
            }
        });
        return warnings;
    }

    /**
     * The free parameters that no term of the fit uses: no potential of an atoms or crystal term names
     * them, and no template of an external term renders differently when they change (see
     * {@link org.chemfit.external.FileBasedQuantityComputer#usedByTemplates}). The fit varies them to
     * no effect on its loss; the validation terms, which it never fits, do not count. Call it after
     * {@link #refuseProblems()}, which finds the templates that do not render.
     *
     * @return their names, in the job's order
     */
    List<String> unusedFreeParameters() {
        java.util.Set<String> left = new java.util.LinkedHashSet<>();
        // as the optimizer sees them: bounds that meet pin a parameter as fixed: true does
        job.parameters().stream()
                .filter(p -> !p.fixed() && p.lower() != p.upper())
                .forEach(p -> left.add(p.name()));
        for (JobFile.TermSpec t : job.terms()) {
            List<JobFile.PairTermSpec> potential = t.config() instanceof JobFile.AtomsConfig a
                    ? a.potential()
                    : t.config() instanceof JobFile.CrystalConfig c ? c.potential() : List.of();
            for (JobFile.PairTermSpec pair : potential) {
                for (org.chemfit.atoms.ParameterRef ref : pair.parameters().values()) {
                    if (ref.name() != null) {
                        left.remove(ref.name());
                    }
                }
            }
        }
        Parameters initial = initial();
        for (org.chemfit.external.FileBasedQuantityComputer computer : fitExternals) {
            if (left.isEmpty()) {
                break;
            }
            computer.usedByTemplates(initial, List.copyOf(left)).forEach(left::remove);
        }
        return List.copyOf(left);
    }

    /**
     * A warning when the loss adds one quantity of fitted terms in different units (energies in eV
     * in one term, in K in another; a dimensionless scaled one beside one in eV): each term's share
     * then follows the size of its unit, which is seldom what was meant. Only terms of non-zero
     * weight count, and only quantities with a unit (a scaled quantity's errors, and a relative
     * error's, are dimensionless); two spellings of one unit are one. Different quantities (an
     * energy and a density) are in different units by nature, and are not compared.
     *
     * @return one warning per quantity so added, in the order the quantities first come
     */
    List<String> mixedLossUnits() {
        Map<String, Map<String, List<String>>> byQuantity = new LinkedHashMap<>();
        // each quantity's terms' weights as they count in eV, while every unit is an energy unit and
        // every loss one power of the errors; a quantity missing here is not so
        Map<String, List<Double>> inEv = new LinkedHashMap<>();
        Map<String, JobFile.LossType> lossOf = new LinkedHashMap<>();
        java.util.Set<String> notInEv = new java.util.HashSet<>();
        for (int i = 0; i < job.terms().size(); i++) {
            JobFile.TermSpec spec = job.terms().get(i);
            if (spec.weight() == 0) {
                continue;
            }
            for (String q : references.get(i).keySet()) {
                boolean dimensionless = spec.loss().type() == JobFile.LossType.RELATIVE_ERROR
                        || spec.loss().scales().containsKey(q);
                String unit =
                        dimensionless ? "1" : EnergyUnits.sameUnit(job.units().quantity(spec.name(), q));
                if (!unit.isEmpty()) {
                    byQuantity
                            .computeIfAbsent(q, k -> new LinkedHashMap<>())
                            .computeIfAbsent(unit, u -> new ArrayList<>())
                            .add("'" + spec.name() + "'");
                    Double perEv = EnergyUnits.perEv(unit);
                    JobFile.LossType type = spec.loss().type();
                    JobFile.LossType first = lossOf.putIfAbsent(q, type);
                    if (perEv == null || type == JobFile.LossType.RELATIVE_ERROR || (first != null && first != type)) {
                        notInEv.add(q);
                    } else {
                        // an error of 1 eV is perEv in the term's unit: squared, perEv^2 times its weight
                        int power = type == JobFile.LossType.ABSOLUTE_ERROR ? 1 : 2;
                        inEv.computeIfAbsent(q, k -> new ArrayList<>()).add(spec.weight() * Math.pow(perEv, power));
                    }
                }
            }
        }
        List<String> out = new ArrayList<>();
        byQuantity.forEach((q, byUnit) -> {
            if (byUnit.size() < 2 || !notInEv.contains(q) && convertedByWeights(inEv.get(q))) {
                return;
            }
            List<String> parts = new ArrayList<>();
            byUnit.forEach((unit, terms) ->
                    parts.add((unit.equals("1") ? "dimensionless" : unit) + " (" + String.join(", ", terms) + ")"));
            out.add("the loss adds the " + q + " of terms whose errors are in different units: "
                    + String.join("; ", parts) + "; each term's share then follows the size of its unit, not how well"
                    + " it is met (squared, an error of 0.001 counts a million times less than an error of 1): give"
                    + " each term's " + q + " a loss scale (loss: {scale: {" + q + ": 0.01}}, a typical error in its"
                    + " unit: the loss is then dimensionless), or weights that convert the units (1/23.0605^2 on a"
                    + " kcal/mol term's squared errors beside 1 on an eV term's)");
        });
        return out;
    }

    /**
     * @param inEv each term's weight as it counts in eV
     * @return whether they are one weight, to 1e-3: the weights convert the terms' units into each other
     */
    private static boolean convertedByWeights(@Nullable List<Double> inEv) {
        if (inEv == null || inEv.isEmpty()) {
            return false;
        }
        double first = inEv.get(0);
        return inEv.stream().allMatch(w -> Math.abs(w - first) <= 1e-3 * Math.max(Math.abs(w), Math.abs(first)));
    }

    /**
     * Warnings about the finite-difference steps: a {@code finite_difference_step} that takes no
     * part in the fit (its method takes no differences and no uncertainty is computed, the loss
     * not being a sum of squares), and the free parameters whose step an external term's templates
     * round away: a move by {@code 1 + |value|} changes what a template renders, a move by the step
     * of the job's method (see {@link Methods#forwardStep}) at the initial parameters does not (see
     * {@link org.chemfit.external.FileBasedQuantityComputer#roundedAway}). The program then computes
     * the same values on both sides of the step, the difference is 0, and the fit cannot move the
     * parameter: it stops where it started and calls that converged. The uncertainty, computed at
     * the end of every fit whose terms are squared errors whatever the method, takes central
     * differences of the step of {@link #uncertaintyStep}: a parameter whose forward step shows but
     * one side of whose central step a template rounds away (with a method that takes no
     * differences, whose uncertainty takes the job's step, else {@code cbrt(eps)}) gets a warning
     * of its own, that the
     * uncertainty will say it changes no residual. Only the fit's terms of non-zero weight count.
     *
     * @return the warning of a step that takes no part first, then one per term and parameter, in
     *     the order of the terms and parameters
     */
    List<String> stepWarnings() {
        List<String> out = new ArrayList<>();
        JobFile.OptimizerSpec o = job.optimizer();
        String method = Methods.canonical(o.method());
        if (!Double.isNaN(o.relativeStep())
                && method != null
                && !Methods.takesRelativeStep(method)
                && !org.chemfit.Residuals.available(objective)) {
            out.add("optimizer finite_difference_step takes no part in this fit: " + method + " takes no finite"
                    + " differences, and the uncertainty, which would take the step, is computed only when every"
                    + " fit term's loss is a sum of squares (squared_error or mean_squared_error, reduced with sum"
                    + " or mean); remove it, or choose a method that takes it (least-squares, levenberg-marquardt,"
                    + " L-BFGS-B)");
        }
        out.addAll(templateRoundingWarnings());
        return out;
    }

    /** @return the warnings of {@link #stepWarnings()} of the templates' rounding, in order */
    private List<String> templateRoundingWarnings() {
        double rel = Methods.forwardStep(job);
        double central = org.chemfit.Residuals.available(objective) ? uncertaintyStep(job) : Double.NaN;
        List<String> out = new ArrayList<>();
        if (Double.isNaN(rel) && Double.isNaN(central)) {
            return out;
        }
        Map<String, Double> steps = new LinkedHashMap<>();
        Map<String, Double> plus = new LinkedHashMap<>();
        Map<String, Double> minus = new LinkedHashMap<>();
        for (JobFile.ParameterSpec p : job.parameters()) {
            if (p.fixed() || p.lower() == p.upper()) {
                continue;
            }
            if (!Double.isNaN(rel)) {
                steps.put(p.name(), forwardStep(p, rel));
            }
            if (!Double.isNaN(central)) {
                double[] pair = centralSteps(p, central);
                plus.put(p.name(), pair[0]);
                minus.put(p.name(), pair[1]);
            }
        }
        if (steps.isEmpty() && plus.isEmpty()) {
            return out;
        }
        String method = Methods.canonical(job.optimizer().method());
        Parameters initial = initial();
        for (JobFile.TermSpec t : job.terms()) {
            org.chemfit.external.FileBasedQuantityComputer computer = externals.get(t.name());
            if (t.weight() == 0 || t.kind() != JobFile.TermKind.EXTERNAL || computer == null) {
                continue;
            }
            try {
                roundingWarnings(t, computer, initial, steps, plus, minus, method, rel, central, out);
            } catch (org.chemfit.external.TemplateException x) {
                // a template that fails only as it is rendered here: said at its line, as a check says it
                throw new JobFileException(List.of(new JobFileException.Problem(
                        JobReading.shownBeside(job.file(), job.folder(), Path.of(x.template())),
                        x.line(),
                        x.column(),
                        "term '" + t.name() + "': " + x.reason())));
            }
        }
        return out;
    }

    /** Adds to {@code out} the rounding warnings of one external term (see {@link #stepWarnings()}). */
    private void roundingWarnings(
            JobFile.TermSpec t,
            org.chemfit.external.FileBasedQuantityComputer computer,
            Parameters initial,
            Map<String, Double> steps,
            Map<String, Double> plus,
            Map<String, Double> minus,
            @Nullable String method,
            double rel,
            double central,
            List<String> out) {
        boolean takesStep = !Double.isNaN(rel);
        Map<String, org.chemfit.external.FileBasedQuantityComputer.TemplatePlace> forward =
                computer.roundedAway(initial, steps);
        forward.forEach((name, place) -> {
            if (place.onlyInConditions()) {
                out.add("term '" + t.name() + "': template " + where(place) + " uses parameter '" + name
                        + "' only in a condition and never prints it, so the finite-difference step of " + method
                        + " " + step(steps.get(name), rel)
                        + " renders the same input: the derivative is 0 and the fit cannot move it"
                        + " (it stops at the start and calls that converged); a parameter that only chooses what"
                        + " a template writes cannot be fitted by derivatives through this term: fit it with a"
                        + " method that takes none (Nelder-Mead, Powell, BOBYQA, CMA-ES), fix it (fixed: true),"
                        + " or print its value where the program reads it");
                return;
            }
            out.add("term '" + t.name() + "': template " + where(place) + " prints parameter '" + name
                    + "' with too few digits for the finite-difference step of " + method + " "
                    + step(steps.get(name), rel)
                    + ": the step renders the same input, so the derivative is 0 and the fit"
                    + " cannot move it (it stops at the start and calls that converged); print more digits"
                    + " ({{ " + name + " }} prints them all), or set optimizer.finite_difference_step larger"
                    + " (about 10^(-d/2) for d printed significant digits: {relative: 1.0e-2} for 4)");
        });
        Map<String, org.chemfit.external.FileBasedQuantityComputer.TemplatePlace> either =
                new LinkedHashMap<>(computer.roundedAway(initial, plus));
        computer.roundedAway(initial, minus).forEach(either::putIfAbsent);
        for (String name : plus.keySet()) {
            org.chemfit.external.FileBasedQuantityComputer.TemplatePlace place = either.get(name);
            if (place == null || forward.containsKey(name)) {
                continue;
            }
            if (place.onlyInConditions()) {
                out.add("term '" + t.name() + "': template " + where(place) + " uses parameter '" + name
                        + "' only in a condition and never prints it, so the central-difference step of the"
                        + " uncertainty " + step(plus.get(name), central)
                        + " renders the same input: the uncertainty will say"
                        + " that it changes no residual and give it no standard error; a parameter that only"
                        + " chooses what a template writes has no derivative through this term: fix it (fixed:"
                        + " true), or print its value where the program reads it");
                continue;
            }
            out.add("term '" + t.name() + "': template " + where(place) + " prints parameter '" + name
                    + "' with too few digits for the central-difference step of the uncertainty "
                    + step(plus.get(name), central)
                    + ": the step renders the same input, so the uncertainty will say that it"
                    + " changes no residual and give it no standard error; print more digits ({{ " + name
                    + " }} prints them all), or "
                    + (takesStep
                            ? "set optimizer.finite_difference_step larger, which the uncertainty takes too"
                            : "set optimizer.finite_difference_step larger, which " + method + ", a method"
                                    + " without finite differences, takes for its uncertainty alone")
                    + " (about 10^(-d/2) for d printed significant digits: {relative: 1.0e-2} for 4)");
        }
    }

    /** @return a parameter's step as the rounding warnings give it: "(STEP, RELATIVE of its size)" */
    private static String step(@Nullable Double step, double relative) {
        return "(" + Tables.fmt(Math.abs(step == null ? Double.NaN : step)) + ", " + Tables.fmt(relative)
                + " of its size)";
    }

    /** @return where a template names a parameter, as the job's warnings show it: its file and line */
    private String where(org.chemfit.external.FileBasedQuantityComputer.TemplatePlace place) {
        return JobReading.shownBeside(job.file(), job.folder(), Path.of(place.template()))
                + (place.line() > 0 ? ":" + place.line() : "");
    }

    /**
     * The relative step of the uncertainty's central differences, as the Fitter takes it: the job's
     * {@code finite_difference_step} when it sets one, with any method (or the crystal terms'
     * default with a method that takes a step, see {@link Methods#relativeStep}), else {@code
     * cbrt(eps)}; never below {@code cbrt(eps)}.
     *
     * @param job the job
     * @return the step
     */
    static double uncertaintyStep(JobFile job) {
        double step = Methods.relativeStep(job);
        return Double.isNaN(step) ? CENTRAL_STEP : Math.max(step, CENTRAL_STEP);
    }

    /** {@code cbrt(eps) = 6.06e-6}: the relative step of the uncertainty's central differences by default. */
    static final double CENTRAL_STEP = Math.cbrt(Math.ulp(1.0));

    /**
     * The two steps the uncertainty's central differences take from a parameter's initial value:
     * {@code +h} and {@code -h}, {@code h = rel * max(|x|, scale)}; near a bound, as the Fitter takes
     * them, both on the side with room ({@code h} and {@code 2h} inward), or the room there is.
     */
    private static double[] centralSteps(JobFile.ParameterSpec p, double rel) {
        double x = p.initial();
        double h = Math.abs(forwardStep(p, rel));
        double up = p.upper() - x;
        double down = x - p.lower();
        if (up >= h && down >= h) {
            return new double[] {h, -h};
        }
        double one = up >= h ? h : down >= h ? -h : up >= down ? up : -down;
        return new double[] {one, 2 * one <= up && 2 * one >= -down ? 2 * one : one};
    }

    /**
     * A warning of the fit that parameters change no residual, with what else an external term may
     * do to them: its templates may round a finite-difference step away. Said when a template of
     * an external fit term of non-zero weight changes with one of those parameters.
     *
     * @param warning a warning of the fit
     * @param noEffect the parameters that changed no residual (of the uncertainty)
     * @return the warning, with that cause added when it may be one
     */
    String withRoundingCause(String warning, List<String> noEffect) {
        String ignored = "a term that ignores them?)";
        if (noEffect.isEmpty() || !warning.contains(" change no residual") || !warning.contains(ignored)) {
            return warning;
        }
        Parameters initial = initial();
        for (JobFile.TermSpec t : job.terms()) {
            org.chemfit.external.FileBasedQuantityComputer computer = externals.get(t.name());
            if (t.weight() != 0
                    && computer != null
                    && !computer.usedByTemplates(initial, noEffect).isEmpty()) {
                return warning.replace(
                        ignored,
                        "a term that ignores them, a template that rounds them (its inputs did not change over"
                                + " the step)?)");
            }
        }
        return warning;
    }

    /**
     * The forward step the fit's finite differences take from a parameter's initial value: as the
     * optimizer takes it, {@code rel * max(|x|, scale)}, the scale being {@code |x|} when non-zero,
     * else half the bounded range, else 1; backward when forward would leave the bounds.
     */
    private static double forwardStep(JobFile.ParameterSpec p, double rel) {
        double x = p.initial();
        double scale = x != 0
                ? Math.abs(x)
                : Double.isFinite(p.lower()) && Double.isFinite(p.upper()) ? (p.upper() - p.lower()) / 2 : 1.0;
        double h = rel * Math.max(Math.abs(x), scale);
        return x + h > p.upper() ? -h : h;
    }

    /**
     * Applies the keep policy to the run directories that the earlier attempts of a resumed run
     * left behind for runs they were cut off in (see
     * {@link org.chemfit.external.FileBasedQuantityComputer#removeCancelledRuns}), once the
     * programs those attempts left running in their terms' run directories are ended (see
     * {@link org.chemfit.external.FileBasedQuantityComputer#endCutOffPrograms}).
     *
     * @param journal the journal of the output folder
     * @param runId the run being resumed
     * @return the directories removed
     */
    List<Path> removeCancelledRuns(org.chemfit.journal.read.JournalReader journal, long runId) {
        List<Path> removed = new ArrayList<>();
        if (externals.isEmpty()) {
            return removed;
        }
        List<Long> pids;
        List<Long> pidsHere;
        java.util.Set<String> finished = new java.util.HashSet<>();
        try {
            pids = journal.attemptProcessIds(runId);
            // a process id is alive or gone on its own host only: programs are ended for this host's
            pidsHere = journal.attemptProcessIdsOnThisHost(runId);
            for (org.chemfit.journal.read.TermRecord t : journal.terms(runId)) {
                if (t.runDirectory() != null && !t.runDirectory().isBlank()) {
                    Path name = Path.of(t.runDirectory()).getFileName();
                    if (name != null) {
                        finished.add(name.toString());
                    }
                }
            }
        } catch (RuntimeException e) {
            // Tidying is no reason to stop a fit: what the journal cannot tell stays where it is.
            return removed;
        }
        // first the programs those attempts left running in them (each ended with a warning): they
        // would write into a directory being removed, or into one used again
        endProgramsLeftBy(pidsHere);
        externals.values().forEach(computer -> removed.addAll(computer.removeCancelledRuns(pids, finished)));
        return removed;
    }

    /**
     * Ends the programs that killed attempts of the journal's earlier runs left running in the
     * run directories of this job's external terms: what a new run of the journal ({@code
     * --restart}) does before it runs anything. Every attempt of every run recorded on this host
     * is looked at; a program is ended, with a warning, only when the attempt's process is gone
     * (see {@link org.chemfit.external.FileBasedQuantityComputer#endCutOffPrograms}), so nothing
     * of a fit that runs now is touched. The run directories themselves stay as they are: they
     * belong to the earlier runs, which the journal keeps.
     *
     * @param journal the journal of the output folder, before the new run begins in it
     * @return how many processes were ended
     */
    int endProgramsOfEarlierRuns(org.chemfit.journal.read.JournalReader journal) {
        if (externals.isEmpty()) {
            return 0;
        }
        java.util.Set<Long> pidsHere = new java.util.LinkedHashSet<>();
        try {
            for (org.chemfit.journal.read.RunRecord r : journal.runs()) {
                // a process id is alive or gone on its own host only: programs are ended for this host's
                pidsHere.addAll(journal.attemptProcessIdsOnThisHost(r.id()));
            }
        } catch (RuntimeException e) {
            // Tidying is no reason to stop a fit: what the journal cannot tell is left running.
            return 0;
        }
        return endProgramsLeftBy(pidsHere);
    }

    /**
     * Ends, in every external term's run directories, the programs that processes now gone left
     * running there, each named in a warning with its run directory, which stays: what {@code
     * chemfit worker} does as it starts, for the programs of an earlier worker of the same output
     * folder that was killed outright (see {@link
     * org.chemfit.external.FileBasedQuantityComputer#endProgramsOfEndedProcesses}).
     *
     * @return how many processes were ended
     */
    int endProgramsOfEndedProcesses() {
        int ended = 0;
        for (org.chemfit.external.FileBasedQuantityComputer computer : externals.values()) {
            for (int n : computer.endProgramsOfEndedProcesses().values()) {
                ended += n;
            }
        }
        return ended;
    }

    /**
     * Ends, in every external term's run directories, the programs that the given processes
     * started and left running when they were killed, each run directory named in a warning.
     *
     * @param pidsHere process ids of earlier attempts on this host
     * @return how many processes were ended
     */
    private int endProgramsLeftBy(java.util.Collection<Long> pidsHere) {
        int ended = 0;
        for (org.chemfit.external.FileBasedQuantityComputer computer : externals.values()) {
            for (int n : computer.endCutOffPrograms(pidsHere).values()) {
                ended += n;
            }
        }
        return ended;
    }

    /** @return the initial parameters */
    Parameters initial() {
        List<String> names = new ArrayList<>();
        double[] values = new double[job.parameters().size()];
        for (int i = 0; i < values.length; i++) {
            names.add(job.parameters().get(i).name());
            values[i] = job.parameters().get(i).initial();
        }
        return Parameters.of(names, values);
    }

    /** @return the bounds the job gives */
    Bounds bounds() {
        Bounds.Builder b = Bounds.builder();
        for (JobFile.ParameterSpec p : job.parameters()) {
            if (Double.isFinite(p.lower()) || Double.isFinite(p.upper())) {
                b.between(p.name(), p.lower(), p.upper());
            }
        }
        return b.build();
    }

    /**
     * @param maxEvaluations the budget
     * @return a Fitter configured from the job (listeners are the caller's to add)
     */
    Fitter fitter(int maxEvaluations) {
        JobFile.OptimizerSpec o = job.optimizer();
        Fitter f = new Fitter(objective, initial())
                .bounds(bounds())
                .maxEvaluations(maxEvaluations)
                .seed(o.seed())
                .valueBadParams(o.badValue())
                .optimizer(Methods.create(job));
        if (!Double.isNaN(o.relativeStep()) && !Methods.takesRelativeStep(o.method())) {
            // a method without finite differences: the job's step is the uncertainty's alone
            f.uncertaintyStep(o.relativeStep());
        }
        for (JobFile.ParameterSpec p : job.parameters()) {
            if (p.fixed()) {
                f.fixed(p.name());
            }
        }
        return f;
    }

    /**
     * Evaluates the objective once.
     *
     * @param params the parameters
     * @return the context with the per-term breakdown
     */
    EvaluationContext evaluateOnce(Parameters params) {
        EvaluationContext ctx = new EvaluationContext(params, "e0");
        objective.evaluate(params, ctx);
        return ctx;
    }

    @Override
    public void close() {
        for (AutoCloseable c : resources) {
            try {
                c.close();
            } catch (Exception e) {
                // Closing releases threads; a failure to do so cannot change the results any more.
            }
        }
    }

    /** A term that counts itself as running while it runs. */
    static final class Counted implements ObjectiveFunction, org.chemfit.ObjectiveWrapper {
        private final ObjectiveFunction delegate;
        private final AtomicInteger running;

        Counted(ObjectiveFunction delegate, AtomicInteger running) {
            this.delegate = delegate;
            this.running = running;
        }

        @Override
        public double evaluate(Parameters params) {
            return evaluate(params, new EvaluationContext(params));
        }

        @Override
        public ObjectiveFunction wrapped() {
            return delegate;
        }

        @Override
        public double evaluate(Parameters params, EvaluationContext ctx) {
            running.incrementAndGet();
            try {
                return delegate.evaluate(params, ctx);
            } finally {
                running.decrementAndGet();
            }
        }
    }
}
