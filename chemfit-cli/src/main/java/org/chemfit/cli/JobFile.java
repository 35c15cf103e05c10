package org.chemfit.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
 * @param hash a SHA-256 over the job file and every file it names, hex
 * @param programs program aliases of external commands: a name used as a command's program (such as
 *     {@code gmx}) to the names tried for it, in order (such as gmx, gmx_mpi, gmx_d); looked up once per job
 * @param validation terms of the same kinds as {@code terms}, evaluated at the initial and best parameters but never
 *     part of the objective (held-out data)
 * @param units the units the job declares for parameters and reference quantities, and the coordinate columns of terms
 * @param validationEvery also evaluate the validation terms at the best parameters so far after every this many
 *     evaluations, beside the fit (0: only at the initial and the best parameters)
 * @implNote Immutable.
 */
public record JobFile(Path file, String name, List<ParameterSpec> parameters, List<TermSpec> terms,
        CombinationSpec combination, OptimizerSpec optimizer, ExecutionSpec execution, OutputSpec output, String hash,
        Map<String, List<String>> programs, List<TermSpec> validation, Units units, int validationEvery) {

    /** Copies the lists and maps. */
    public JobFile {
        parameters = List.copyOf(parameters);
        terms = List.copyOf(terms);
        java.util.Map<String, List<String>> p = new java.util.LinkedHashMap<>();
        programs.forEach((k, v) -> p.put(k, List.copyOf(v)));
        programs = java.util.Collections.unmodifiableMap(p);
        validation = List.copyOf(validation);
        units = units == null ? Units.NONE : units;
        if (validationEvery < 0) {
            throw new IllegalArgumentException("validationEvery must not be negative, got " + validationEvery);
        }
    }

    /**
     * A job without validation terms or units.
     *
     * @param file the job file
     * @param name the fit's name
     * @param parameters the parameters
     * @param terms the terms
     * @param combination how terms combine
     * @param optimizer the optimizer
     * @param execution how evaluations run
     * @param output where results go
     * @param hash the job's hash
     * @param programs program aliases
     */
    public JobFile(Path file, String name, List<ParameterSpec> parameters, List<TermSpec> terms, CombinationSpec combination,
            OptimizerSpec optimizer, ExecutionSpec execution, OutputSpec output, String hash, Map<String, List<String>> programs) {
        this(file, name, parameters, terms, combination, optimizer, execution, output, hash, programs, List.of(), Units.NONE, 0);
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
    public record Units(Map<String, String> parameters, Map<String, Map<String, String>> quantities,
            Map<String, Coordinate> coordinates) {

        /** No units, no coordinates. */
        public static final Units NONE = new Units(Map.of(), Map.of(), Map.of());

        /** Copies the maps. */
        public Units {
            parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
            java.util.Map<String, Map<String, String>> q = new java.util.LinkedHashMap<>();
            quantities.forEach((k, v) -> q.put(k, java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(v))));
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
    public record Coordinate(String column, String unit) {
    }

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
    public record ParameterSpec(String name, double initial, double lower, double upper, boolean fixed) {
    }

    /**
     * A term of the objective.
     *
     * <pre>{@code
     * for (TermSpec t : job.terms()) System.out.println(t.name() + " " + t.kind() + " x " + t.weight());
     * }</pre>
     *
     * @param name its name, unique in the job
     * @param kind the kind ("atoms", "external")
     * @param weight its weight, finite and not negative
     * @param loss how its quantities are compared with the reference
     * @param config the kind's own settings
     * @implNote Immutable.
     */
    public record TermSpec(String name, String kind, double weight, LossSpec loss, TermConfig config) {
    }

    /**
     * How a term's quantities are compared with the reference values.
     *
     * <pre>{@code
     * LossSpec loss = job.terms().get(0).loss();   // mean_squared_error, no scales
     * }</pre>
     *
     * @param type squared_error, mean_squared_error, absolute_error or relative_error
     * @param scales a scale per quantity (dividing the difference); absent quantities have scale 1
     * @implNote Immutable.
     */
    public record LossSpec(String type, Map<String, Double> scales) {
        /** Copies the scales. */
        public LossSpec {
            scales = Map.copyOf(scales);
        }
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
    public record CrystalConfig(Path structure, int formulaUnits, List<PairTermSpec> potential, Map<String, double[]> reference)
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
     * @implNote Immutable.
     */
    public record AtomsConfig(Path reference, List<PairTermSpec> potential, int moleculeSize, boolean excludeIntramolecular,
            RelaxSpec relax) implements TermConfig {
        /** Copies the list. */
        public AtomsConfig {
            potential = List.copyOf(potential);
        }

        @Override
        public List<Path> inputFiles() {
            return List.of(reference);
        }
    }

    /**
     * How structures are relaxed.
     *
     * <pre>{@code
     * RelaxSpec r = new RelaxSpec("lbfgs", 1e-5, 2000, 0.2);
     * }</pre>
     *
     * @param method fire or lbfgs
     * @param fmax converged when no atom feels a larger force (eV/Å)
     * @param steps the most steps
     * @param maxStep the furthest an atom moves in one step (Å)
     * @implNote Immutable.
     */
    public record RelaxSpec(String method, double fmax, int steps, double maxStep) {
    }

    /**
     * One pair term of a potential.
     *
     * <pre>{@code
     * PairTermSpec lj = new PairTermSpec("lennard_jones", "Ar", "Ar", Map.of("epsilon", "lj.epsilon", "sigma", "lj.sigma"), 10.0, false);
     * }</pre>
     *
     * @param form lennard_jones, morse, buckingham or coulomb
     * @param speciesA the first species ("*" for any)
     * @param speciesB the second species ("*" for any)
     * @param parameters the form's keys (epsilon, sigma; D, alpha, r0; A, rho, C; or, for coulomb,
     *     species) to a number, a parameter name or factor*name, as written
     * @param cutoff pairs at or beyond it do not interact (infinity for none)
     * @param shifted whether the energy is shifted to zero at the cutoff
     * @param coulombMethod for coulomb: direct, ewald or minimum_image
     * @param tolerance for coulomb with method ewald: the accuracy of the Ewald sum
     * @implNote Immutable.
     */
    public record PairTermSpec(String form, String speciesA, String speciesB, Map<String, String> parameters, double cutoff,
            boolean shifted, String coulombMethod, double tolerance) {
        /** The Ewald tolerance when the job file gives none. */
        public static final double DEFAULT_EWALD_TOLERANCE = 1e-8;

        /** Copies the map. */
        public PairTermSpec {
            parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
        }

        /** A term without Coulomb settings (direct, default tolerance). */
        public PairTermSpec(String form, String speciesA, String speciesB, Map<String, String> parameters, double cutoff,
                boolean shifted) {
            this(form, speciesA, speciesB, parameters, cutoff, shifted, "direct", DEFAULT_EWALD_TOLERANCE);
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
    public record ExternalConfig(Map<String, Path> templates, Map<String, Object> variables, Map<String, Path> files,
            Map<String, Path> links, List<List<String>> commands, List<String> launcher, Map<String, String> env, boolean privateTmpDir,
            List<OutputSpec.Parsed> outputs, Map<String, double[]> reference, Duration timeout, WaitSpec waitForFiles, Duration killGrace,
            int retries, Map<Integer, StdinSpec> stdin, List<String> logFiles) implements TermConfig {
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
        public record StdinSpec(String text, Path template) {
        }

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
            stdin.values().stream().map(StdinSpec::template).filter(java.util.Objects::nonNull).forEach(all::add);
            links.values().stream().filter(java.nio.file.Files::isRegularFile).forEach(all::add);
            return List.copyOf(all);
        }
    }

    /**
     * How terms are combined.
     *
     * <pre>{@code
     * CombinationSpec c = job.combination();   // sum, raise
     * }</pre>
     *
     * @param reducer sum, mean or root_mean
     * @param onFailure raise, penalty or skip
     * @param penalty the value of a failed term under "penalty"
     * @implNote Immutable.
     */
    public record CombinationSpec(String reducer, String onFailure, double penalty) {
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
     * @param badValue the loss given to points whose loss is NaN or infinite
     * @implNote Immutable.
     */
    public record OptimizerSpec(String method, int maxEvaluations, long seed, int batchSize, double relativeTolerance,
            double absoluteTolerance, double badValue) {
    }

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
     * @param keep which run directories are kept: all, failed or none
     * @implNote Immutable.
     */
    public record ExecutionSpec(int workers, Duration timeout, int retries, Path runDirectory, String keep) {
    }

    /**
     * Where results go.
     *
     * <pre>{@code
     * Path folder = job.output().folder();
     * }</pre>
     *
     * @param folder the output folder
     * @param plots whether to draw plots
     * @implNote Immutable.
     */
    public record OutputSpec(Path folder, boolean plots) {
        /**
         * How one quantity of an external term is read from its run directory.
         *
         * <pre>{@code
         * Parsed p = new Parsed("energy", "log.lammps", "lammps_thermo", Map.of("column", "PotEng"));
         * }</pre>
         *
         * @param quantity the quantity's name
         * @param file the file, relative to the run directory
         * @param parser regex, column, json, lammps_thermo or xvg
         * @param options the parser's options as written: pattern, group, column, path, select, rows, run, from, to
         * @implNote Immutable.
         */
        public record Parsed(String quantity, String file, String parser, Map<String, Object> options) {
            /** Copies the options. */
            public Parsed {
                options = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(options));
            }
        }
    }
}
