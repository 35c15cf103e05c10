package org.chemfit.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.chemfit.FailurePolicy;
import org.chemfit.LossFunction;
import org.chemfit.LossFunctions;
import org.chemfit.Reducer;
import org.chemfit.atoms.PairPotential.CoulombMethod;
import org.chemfit.atoms.ParameterRef;
import org.chemfit.external.KeepPolicy;
import org.jspecify.annotations.Nullable;

/**
 * A fit described in a file: the parameters, the terms with their weights and losses, how terms
 * are combined, the optimizer, how evaluations run, and where results go. Every key is documented
 * in {@code docs/job-file.md}. Relative paths are resolved against the job file's folder.
 *
 * <pre>{@code
 * JobFile job = JobFile.read(Path.of("examples/argon/fit.yaml"));
 * System.out.println(job.parameters().size() + " parameters, " + job.terms().size() + " terms");
 * }</pre>
 *
 * @param file the job file, absolute
 * @param name the fit's name (the file name without extension when not given)
 * @param parameters the parameters in file order, names flattened to dotted form
 * @param terms the terms in file order
 * @param combination how the terms' weighted losses are reduced and failures handled
 * @param optimizer the method and its budget
 * @param execution how evaluations run
 * @param output where results go
 * @param digest the SHA-256 over the job file and every file it names, computed when first asked
 *     for ({@link #hash()})
 * @param programs program aliases of external commands: a name used as a command's program (such as
 *     {@code gmx}) to the names tried for it, in order (such as gmx, gmx_mpi, gmx_d); looked up once per job
 * @param validation terms of the same kinds as {@code terms}, evaluated at the initial and best parameters but never
 *     part of the objective (held-out data)
 * @param units the units the job declares for parameters and reference quantities, and the coordinate columns of terms
 * @param validationEvery also evaluate the validation terms at the best parameters so far after every this many
 *     evaluations, beside the fit (0: only at the initial and the best parameters)
 * @param warnings what the job's data make likely to be a mistake without being one for certain
 *     (a species no pair term pairs, a charged cell, atoms closer than 0.5 Å), each a sentence that
 *     {@code validate}, {@code eval} and {@code fit} print once after "warning: "
 * @param structures the structure files of the atoms terms as this read of the job parsed them,
 *     each once, for the fit's plan to take rather than parse them again
 * @param referenceRows how many rows the atoms terms' reference CSVs (fit and validation terms)
 *     hold as this read of the job read them, by each CSV's path as the terms give it ({@link
 *     AtomsConfig#reference()}), for the checks made after the reading to use rather than read the
 *     files again (a count, not the rows: a job lives as long as its fit); a CSV that could not be
 *     read is not there
 * @implNote Immutable, but for the structure files parsed, which only grows.
 */
public record JobFile(
        Path file,
        String name,
        List<ParameterSpec> parameters,
        List<TermSpec> terms,
        CombinationSpec combination,
        OptimizerSpec optimizer,
        ExecutionSpec execution,
        OutputSpec output,
        JobDigest digest,
        Map<String, List<String>> programs,
        List<TermSpec> validation,
        Units units,
        int validationEvery,
        List<String> warnings,
        StructureFiles structures,
        Map<Path, Integer> referenceRows) {

    /** Copies the lists and maps. */
    public JobFile {
        parameters = List.copyOf(parameters);
        terms = List.copyOf(terms);
        java.util.Map<String, List<String>> p = new java.util.LinkedHashMap<>();
        programs.forEach((k, v) -> p.put(k, List.copyOf(v)));
        programs = java.util.Collections.unmodifiableMap(p);
        validation = List.copyOf(validation);
        warnings = List.copyOf(warnings);
        referenceRows = java.util.Collections.unmodifiableMap(new java.util.HashMap<>(referenceRows));
        units = units == null ? Units.NONE : units;
        if (validationEvery < 0) {
            throw new IllegalArgumentException("validationEvery must not be negative, got " + validationEvery);
        }
    }

    /**
     * @return the SHA-256 over the job file and every file it names, hex (computed on the first call)
     * @throws BaseCommand.UserException when one of the files can no longer be read
     */
    public String hash() {
        return digest.value();
    }

    /**
     * @return whether a failed run of a term may be run again: {@code execution.retries} above 0,
     *     or a fitted external term's own {@code retries} (of transient failures) above 0
     */
    public boolean retriesRuns() {
        if (execution.retries() > 0) {
            return true;
        }
        for (TermSpec t : terms) {
            if (t.config() instanceof ExternalConfig x && x.retries() > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the longest {@code kill_grace} a term or validation term of the job gives its
     *     programs, zero when none gives one (the library's default grace is short)
     */
    public Duration longestKillGrace() {
        Duration longest = Duration.ZERO;
        for (List<TermSpec> list : List.of(terms, validation)) {
            for (TermSpec t : list) {
                if (t.config() instanceof ExternalConfig x
                        && x.killGrace() != null
                        && x.killGrace().compareTo(longest) > 0) {
                    longest = x.killGrace();
                }
            }
        }
        return longest;
    }

    /**
     * The units a job declares ({@code unit:} on parameters and terms) and the coordinate column of
     * scan terms ({@code coordinate:} on an atoms term). Undeclared units are empty strings.
     *
     * <pre>{@code
     * String u = job.units().quantity("ar2-curve", "energy");   // "K"
     * String p = job.units().parameter("lj.sigma");             // "A"
     * }</pre>
     *
     * @param parameters parameter names to units
     * @param quantities term names to (quantity names to units)
     * @param coordinates term names to their coordinate column
     * @implNote Immutable.
     */
    public record Units(
            Map<String, String> parameters,
            Map<String, Map<String, String>> quantities,
            Map<String, Coordinate> coordinates) {

        /** No units, no coordinates. */
        public static final Units NONE = new Units(Map.of(), Map.of(), Map.of());

        /** Copies the maps. */
        public Units {
            parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
            java.util.Map<String, Map<String, String>> q = new java.util.LinkedHashMap<>();
            quantities.forEach(
                    (k, v) -> q.put(k, java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(v))));
            quantities = java.util.Collections.unmodifiableMap(q);
            coordinates = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(coordinates));
        }

        /**
         * @param name a parameter's dotted name
         * @return its unit, or "" when none is declared
         */
        public String parameter(String name) {
            return parameters.getOrDefault(name, "");
        }

        /**
         * @param term a term's name
         * @param quantity a quantity's name
         * @return its unit, or "" when none is declared
         */
        public String quantity(String term, String quantity) {
            return quantities.getOrDefault(term, Map.of()).getOrDefault(quantity, "");
        }
    }

    /**
     * The column of a term's reference CSV that holds the coordinate of a scan (such as the
     * distance {@code r} of a dimer curve), against which plots draw the model and the reference.
     *
     * <pre>{@code
     * Coordinate c = new Coordinate("r", "A");
     * }</pre>
     *
     * @param column the column's name in the CSV header
     * @param unit its unit, or ""
     * @implNote Immutable.
     */
    public record Coordinate(String column, String unit) {}

    /**
     * Reads and checks a job file, reporting every problem at once.
     *
     * @param file a YAML (.yaml, .yml) or JSON (.json) file
     * @return the job
     * @throws JobFileException naming the file, line, column and rule of each problem found
     */
    public static JobFile read(Path file) {
        return JobReader.read(file);
    }

    /**
     * Reads and checks a job file to evaluate it once ({@code chemfit eval}): as {@link #read},
     * without the checks that concern only fitting it (that the optimizer method has free
     * parameters to fit, and that a least-squares method's objective is a sum of squares).
     *
     * @param file a YAML (.yaml, .yml) or JSON (.json) file
     * @return the job
     * @throws JobFileException naming the file, line, column and rule of each problem found
     */
    static JobFile readToEvaluate(Path file) {
        return JobReader.read(file, false);
    }

    /** @return the folder that relative paths are resolved against */
    public Path folder() {
        return Objects.requireNonNull(file.toAbsolutePath().getParent(), "the folder of " + file);
    }

    /**
     * A parameter.
     *
     * <pre>{@code
     * ParameterSpec p = job.parameters().get(0);   // lj.epsilon, initial 100, bounds [10, 400]
     * }</pre>
     *
     * @param name the dotted name
     * @param initial its initial value
     * @param lower its lower bound (negative infinity for none)
     * @param upper its upper bound (positive infinity for none)
     * @param fixed whether it is kept at its initial value
     * @implNote Immutable.
     */
    public record ParameterSpec(String name, double initial, double lower, double upper, boolean fixed) {}

    /**
     * A term of the objective.
     *
     * <pre>{@code
     * for (TermSpec t : job.terms()) System.out.println(t.name() + " " + t.kind() + " x " + t.weight());
     * }</pre>
     *
     * @param name its name, unique in the job
     * @param weight its weight, finite and not negative
     * @param loss how its quantities are compared with the reference
     * @param config the kind's own settings
     * @implNote Immutable.
     */
    public record TermSpec(String name, double weight, LossSpec loss, TermConfig config) {
        /** @return the term's kind, given by its settings */
        public TermKind kind() {
            return config.kind();
        }
    }

    /**
     * The kinds of term ({@code kind:}); the word of the job file is the constant's name in lower case.
     *
     * <pre>{@code
     * TermKind k = job.terms().get(0).kind();   // ATOMS
     * }</pre>
     *
     * @implNote An enum: immutable and thread-safe.
     */
    public enum TermKind {
        /** In-process energies of structures ({@link AtomsConfig}). */
        ATOMS,
        /** An external program in a run directory ({@link ExternalConfig}). */
        EXTERNAL,
        /** In-process properties of a cubic crystal ({@link CrystalConfig}). */
        CRYSTAL
    }

    /**
     * How a term's quantities are compared with the reference values.
     *
     * <pre>{@code
     * LossSpec loss = job.terms().get(0).loss();   // mean_squared_error, no scales
     * LossFunction f = loss.function(Map.of("energy", new double[] {-0.0103}));
     * }</pre>
     *
     * @param type the kind of difference summed
     * @param scales a scale per quantity (dividing the difference); absent quantities have scale 1
     * @implNote Immutable.
     */
    public record LossSpec(LossType type, Map<String, Double> scales) {
        /** Copies the scales. */
        public LossSpec {
            java.util.Objects.requireNonNull(type, "type");
            scales = Map.copyOf(scales);
        }

        /**
         * @param reference quantity names to reference values, numbers (arrays of one) or arrays
         * @return the library's loss of this type over every element of every quantity
         * @throws IllegalArgumentException when a reference is empty or not finite, a scale names a
         *     quantity without reference, or, for relative_error, a reference value is zero
         */
        public LossFunction function(Map<String, double[]> reference) {
            return switch (type) {
                case SQUARED_ERROR -> LossFunctions.squaredErrorOfArrays(reference, scales);
                case MEAN_SQUARED_ERROR -> LossFunctions.meanSquaredErrorOfArrays(reference, scales);
                case ABSOLUTE_ERROR -> LossFunctions.absoluteErrorOfArrays(reference, scales);
                // relative_error divides by the reference itself; scales do not apply
                case RELATIVE_ERROR -> LossFunctions.relativeErrorOfArrays(reference);
            };
        }
    }

    /**
     * The losses of a term ({@code loss:} or {@code loss: {type: ...}}); the word of the job file is
     * the constant's name in lower case.
     *
     * <pre>{@code
     * LossType t = LossType.MEAN_SQUARED_ERROR;   // loss: mean_squared_error
     * }</pre>
     *
     * @implNote An enum: immutable and thread-safe.
     */
    public enum LossType {
        /** The sum of squared (scaled) differences, the default. */
        SQUARED_ERROR,
        /** Their mean over every reference value. */
        MEAN_SQUARED_ERROR,
        /** The sum of absolute (scaled) differences. */
        ABSOLUTE_ERROR,
        /** The sum of absolute differences relative to the reference values. */
        RELATIVE_ERROR
    }

    /**
     * The settings of one kind of term.
     *
     * <pre>{@code
     * List<Path> inputs = job.terms().get(0).config().inputFiles();
     * }</pre>
     *
     * @implNote Implementations are immutable records.
     */
    public sealed interface TermConfig permits AtomsConfig, ExternalConfig, CrystalConfig {
        /** @return the files this term reads, for the job's hash and for {@code validate} */
        List<Path> inputFiles();

        /** @return the kind of term these settings belong to */
        TermKind kind();
    }

    /**
     * An in-process term over a cubic crystal: its conventional cell is relaxed with the pair
     * potential, and its lattice constant, volume, lattice energy, bulk modulus and elastic
     * constants are compared with reference values (see {@code org.chemfit.atoms.CubicCrystalComputer}).
     *
     * <pre>{@code
     * if (term.config() instanceof CrystalConfig c) System.out.println(c.reference().keySet());
     * }</pre>
     *
     * @param structure the XYZ file of the conventional cubic cell
     * @param formulaUnits formula units in that cell
     * @param potential the pair terms of the potential, summed
     * @param reference quantity names to reference values
     * @implNote Immutable.
     */
    public record CrystalConfig(
            Path structure, int formulaUnits, List<PairTermSpec> potential, Map<String, double[]> reference)
            implements TermConfig {
        /** Copies the list and the map. */
        public CrystalConfig {
            potential = List.copyOf(potential);
            reference = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(reference));
        }

        @Override
        public List<Path> inputFiles() {
            return List.of(structure);
        }

        @Override
        public TermKind kind() {
            return TermKind.CRYSTAL;
        }
    }

    /**
     * An in-process term over structures: the energy of each structure listed in a reference CSV
     * (ChemFit's {@code process_csv} layout: columns {@code file} or {@code path},
     * {@code reference_energy} or {@code energy}, optionally {@code tag}), computed with a pair
     * potential and compared with its reference energy. Each structure is a sub-term named by its tag.
     *
     * <pre>{@code
     * if (term.config() instanceof AtomsConfig a) System.out.println(a.reference());
     * }</pre>
     *
     * @param reference the CSV file
     * @param potential the pair terms of the potential, summed
     * @param moleculeSize atoms per molecule, for molecule indices in consecutive blocks (0: none)
     * @param excludeIntramolecular whether pairs within one molecule are left out
     * @param relax how each structure is relaxed with the model before its energy is taken, or null
     *     for single points
     * @param coulombConstant the Coulomb constant of its Coulomb terms, in the term's energy unit
     *     times Å per e² (14.3996454784 eV·Å/e², CODATA 2018, when the term declares eV or no unit)
     * @param forcesWeight the weight of each structure's forces against its energy ({@code forces:}),
     *     or 0 when only energies are fitted
     * @implNote Immutable.
     */
    public record AtomsConfig(
            Path reference,
            List<PairTermSpec> potential,
            int moleculeSize,
            boolean excludeIntramolecular,
            RelaxSpec relax,
            double coulombConstant,
            double forcesWeight)
            implements TermConfig {
        /**
         * Copies the list.
         *
         * @throws IllegalArgumentException when the Coulomb constant is not positive and finite, the
         *     forces' weight is negative or not finite, or forces are fitted with relax
         */
        public AtomsConfig {
            potential = List.copyOf(potential);
            if (!(coulombConstant > 0) || !Double.isFinite(coulombConstant)) {
                throw new IllegalArgumentException(
                        "the Coulomb constant must be positive and finite, got " + coulombConstant);
            }
            if (!(forcesWeight >= 0) || !Double.isFinite(forcesWeight)) {
                throw new IllegalArgumentException(
                        "the forces' weight must be finite and not negative, got " + forcesWeight);
            }
            if (forcesWeight > 0 && relax != null) {
                throw new IllegalArgumentException("forces cannot be fitted with relax");
            }
        }

        /** @return whether each structure's forces are fitted besides its energy */
        public boolean fitsForces() {
            return forcesWeight > 0;
        }

        @Override
        public List<Path> inputFiles() {
            return List.of(reference);
        }

        @Override
        public TermKind kind() {
            return TermKind.ATOMS;
        }
    }

    /**
     * How structures are relaxed.
     *
     * <pre>{@code
     * RelaxSpec r = new RelaxSpec(RelaxMethod.LBFGS, 1e-5, 2000, 0.2);
     * }</pre>
     *
     * @param method the minimiser
     * @param fmax converged when no atom feels a larger force (eV/Å)
     * @param steps the most steps
     * @param maxStep the furthest an atom moves in one step (Å)
     * @implNote Immutable.
     */
    public record RelaxSpec(RelaxMethod method, double fmax, int steps, double maxStep) {}

    /**
     * The minimisers of a {@code relax} block; the word of the job file is the constant's name in lower case.
     *
     * <pre>{@code
     * RelaxMethod m = RelaxMethod.FIRE;   // relax: {method: fire}
     * }</pre>
     *
     * @implNote An enum: immutable and thread-safe.
     */
    public enum RelaxMethod {
        /** The fast inertial relaxation engine, the default. */
        FIRE,
        /** Limited-memory BFGS. */
        LBFGS
    }

    /**
     * The functional forms of a pair term ({@code form:}); the word of the job file is the
     * constant's name in lower case.
     *
     * <pre>{@code
     * PairForm f = PairForm.LENNARD_JONES;   // form: lennard_jones
     * }</pre>
     *
     * @implNote An enum: immutable and thread-safe.
     */
    public enum PairForm {
        /** 4 epsilon ((sigma/r)^12 - (sigma/r)^6). */
        LENNARD_JONES,
        /** D (1 - exp(-alpha (r - r0)))^2 - D. */
        MORSE,
        /** A exp(-r/rho) - C/r^6. */
        BUCKINGHAM,
        /** q_i q_j / r, with charges per species. */
        COULOMB
    }

    /**
     * One pair term of a potential.
     *
     * <pre>{@code
     * PairTermSpec lj = new PairTermSpec(PairForm.LENNARD_JONES, "Ar", "Ar",
     *         Map.of("epsilon", ParameterRef.of("lj.epsilon"), "sigma", ParameterRef.of("lj.sigma")), 10.0, false);
     * }</pre>
     *
     * @param form the functional form
     * @param speciesA the first species ("*" for any)
     * @param speciesB the second species ("*" for any)
     * @param parameters the form's keys (epsilon, sigma; D, alpha, r0; A, rho, C; or, for coulomb,
     *     species) to a constant, a parameter, or a factor times a parameter ({@code -2*qH} in the file)
     * @param cutoff pairs at or beyond it do not interact (infinity for none)
     * @param shifted whether the energy is shifted to zero at the cutoff
     * @param coulombMethod for coulomb: how the sum runs (direct for the other forms)
     * @param tolerance for coulomb with method ewald: the accuracy of the Ewald sum
     * @param alpha for coulomb with method dsf: the damping parameter in 1/Å (0 otherwise)
     * @implNote Immutable.
     */
    public record PairTermSpec(
            PairForm form,
            String speciesA,
            String speciesB,
            Map<String, ParameterRef> parameters,
            double cutoff,
            boolean shifted,
            CoulombMethod coulombMethod,
            double tolerance,
            double alpha) {
        /** The Ewald tolerance when the job file gives none. */
        public static final double DEFAULT_EWALD_TOLERANCE = 1e-8;

        /** Copies the map. */
        public PairTermSpec {
            parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
        }

        /**
         * A term without Coulomb settings (direct, default tolerance).
         *
         * @param form the functional form
         * @param speciesA the first species
         * @param speciesB the second species
         * @param parameters the form's keys to their values
         * @param cutoff the cutoff (infinity for none)
         * @param shifted whether the energy is shifted to zero at the cutoff
         */
        public PairTermSpec(
                PairForm form,
                String speciesA,
                String speciesB,
                Map<String, ParameterRef> parameters,
                double cutoff,
                boolean shifted) {
            this(
                    form,
                    speciesA,
                    speciesB,
                    parameters,
                    cutoff,
                    shifted,
                    CoulombMethod.DIRECT,
                    DEFAULT_EWALD_TOLERANCE,
                    0);
        }

        /**
         * A Coulomb term without damping (alpha 0).
         *
         * @param form the functional form
         * @param speciesA the first species
         * @param speciesB the second species
         * @param parameters the form's keys to their values
         * @param cutoff the cutoff (infinity for none)
         * @param shifted whether the energy is shifted to zero at the cutoff
         * @param coulombMethod how the Coulomb sum runs
         * @param tolerance the accuracy of an Ewald sum
         */
        public PairTermSpec(
                PairForm form,
                String speciesA,
                String speciesB,
                Map<String, ParameterRef> parameters,
                double cutoff,
                boolean shifted,
                CoulombMethod coulombMethod,
                double tolerance) {
            this(form, speciesA, speciesB, parameters, cutoff, shifted, coulombMethod, tolerance, 0);
        }
    }

    /**
     * A term that runs an external program in its own run directory.
     *
     * <pre>{@code
     * if (term.config() instanceof ExternalConfig x) System.out.println(x.commands());
     * }</pre>
     *
     * @param templates run-directory file names to template files, rendered with the parameters
     * @param variables values templates may use besides the parameters
     * @param files run-directory file names to files copied unchanged
     * @param links run-directory names to files or folders staged by a symbolic link
     * @param commands the commands run in order, each a program and its arguments
     * @param launcher a prefix put before the command (for example mpirun -np 4), or empty
     * @param env environment variables set for the program
     * @param privateTmpDir whether TMPDIR points at a tmp folder of each run directory
     * @param outputs what each quantity is parsed from
     * @param reference reference values by quantity name
     * @param timeout how long one run may take (null: the execution's timeout)
     * @param waitForFiles files to wait for after the commands, or null
     * @param killGrace the time between SIGTERM and SIGKILL when a run is killed (null: the library's default)
     * @param retries how often a transient failure (a timeout, a kill by a signal, files that did not appear) is retried
     * @param stdin the standard input of commands, by the command's index (from 0); commands not in it read nothing
     * @param logFiles log files the programs write, relative to the run directory: a failure shows their end and errors
     * @implNote Immutable.
     */
    public record ExternalConfig(
            Map<String, Path> templates,
            Map<String, Object> variables,
            Map<String, Path> files,
            Map<String, Path> links,
            List<List<String>> commands,
            List<String> launcher,
            Map<String, String> env,
            boolean privateTmpDir,
            List<ParserSpec> outputs,
            Map<String, double[]> reference,
            Duration timeout,
            WaitSpec waitForFiles,
            Duration killGrace,
            int retries,
            Map<Integer, StdinSpec> stdin,
            List<String> logFiles)
            implements TermConfig {
        /** Copies the collections. */
        public ExternalConfig {
            templates = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(templates));
            variables = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(variables));
            files = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(files));
            links = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(links));
            commands = commands.stream().map(List::copyOf).toList();
            launcher = List.copyOf(launcher);
            env = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(env));
            outputs = List.copyOf(outputs);
            reference = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(reference));
            stdin = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(stdin));
            logFiles = List.copyOf(logFiles);
        }

        /**
         * What one command reads on its standard input: a literal text, or a template file rendered
         * with the parameters and variables.
         *
         * <pre>{@code
         * new StdinSpec("Potential\nDensity\n\n", null)            // gmx energy's selection
         * new StdinSpec(null, Path.of("templates/energy.stdin"))     // rendered for every run
         * }</pre>
         *
         * @param text the literal text, or null
         * @param template the template file, or null (exactly one of the two is given)
         * @implNote Immutable.
         */
        public record StdinSpec(String text, Path template) {}

        /**
         * Files the programs promise, waited for after the commands.
         *
         * <pre>{@code
         * new WaitSpec(List.of("done.flag"), Duration.ofSeconds(30))
         * }</pre>
         *
         * @param files paths relative to the run directory
         * @param timeout how long to wait for them
         * @implNote Immutable.
         */
        public record WaitSpec(List<String> files, Duration timeout) {
            /** Copies the list. */
            public WaitSpec {
                files = List.copyOf(files);
            }
        }

        @Override
        public List<Path> inputFiles() {
            List<Path> all = new java.util.ArrayList<>(templates.values());
            all.addAll(files.values());
            stdin.values().stream()
                    .map(StdinSpec::template)
                    .filter(java.util.Objects::nonNull)
                    .forEach(all::add);
            links.values().stream().filter(java.nio.file.Files::isRegularFile).forEach(all::add);
            return List.copyOf(all);
        }

        @Override
        public TermKind kind() {
            return TermKind.EXTERNAL;
        }
    }

    /**
     * How terms are combined.
     *
     * <pre>{@code
     * CombinationSpec c = job.combination();   // SUM, RAISE
     * FailurePolicy p = c.policy(job.execution().retries());
     * }</pre>
     *
     * @param reducer how the weighted terms are reduced
     * @param onFailure what a failed term becomes
     * @param penalty the value of a failed term under {@code PENALTY} (NaN otherwise)
     * @implNote Immutable.
     */
    public record CombinationSpec(Reducer reducer, FailurePolicy.Action onFailure, double penalty) {
        /**
         * @param retries how often a failed term is run again before the action applies
         * @return the library's failure policy
         * @throws IllegalArgumentException when retries are negative or the penalty is not finite under PENALTY
         */
        public FailurePolicy policy(int retries) {
            FailurePolicy policy = switch (onFailure) {
                case RAISE -> FailurePolicy.raise();
                case PENALTY -> FailurePolicy.penalty(penalty);
                case SKIP -> FailurePolicy.skip();
            };
            return policy.withRetries(retries);
        }
    }

    /**
     * The optimizer.
     *
     * <pre>{@code
     * OptimizerSpec o = job.optimizer();   // Nelder-Mead, 200 evaluations, seed 42
     * }</pre>
     *
     * @param method a method name
     * @param maxEvaluations the evaluation budget
     * @param seed the seed of randomised methods
     * @param batchSize how many points a population method evaluates at once (0: the method's default)
     * @param relativeTolerance relative tolerance on the loss (NaN: the method's default)
     * @param absoluteTolerance absolute tolerance on the loss (NaN: the method's default)
     * @param relativeStep the relative step of the forward-difference Jacobian of a least-squares
     *     method or gradient of {@code L-BFGS-B} (NaN: the method's default)
     * @param badValue the loss given to points whose loss is NaN or infinite
     * @implNote Immutable.
     */
    public record OptimizerSpec(
            String method,
            int maxEvaluations,
            long seed,
            int batchSize,
            double relativeTolerance,
            double absoluteTolerance,
            double relativeStep,
            double badValue) {}

    /**
     * How evaluations run.
     *
     * <pre>{@code
     * ExecutionSpec e = job.execution();   // 1 worker, no timeout, keep failed
     * }</pre>
     *
     * @param workers how many terms run at once
     * @param timeout how long one external run may take (null: no limit)
     * @param retries how often a failed term is run again before the failure policy applies
     * @param runDirectory where external terms' run directories go, or null for the output folder's {@code runs/}
     * @param keep which run directories are kept
     * @param workersAt where the job file gives {@code workers} ({@code fit.yaml:9:24}), for a
     *     warning about them, or null when it does not give them
     * @implNote Immutable.
     */
    public record ExecutionSpec(
            int workers,
            Duration timeout,
            int retries,
            Path runDirectory,
            KeepPolicy keep,
            @Nullable String workersAt) {}

    /**
     * Where results go.
     *
     * <pre>{@code
     * Path folder = job.output().folder();
     * }</pre>
     *
     * @param folder the output folder
     * @param plots whether to draw plots
     * @param improvingTermsOnly whether the journal keeps the terms of only the evaluations that
     *     lower the best loss ({@code journal_terms: improving}; the default, {@code all}, keeps
     *     every evaluation's)
     * @implNote Immutable.
     */
    public record OutputSpec(Path folder, boolean plots, boolean improvingTermsOnly) {}
}
