package org.chemfit.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The words of the job-file format in one place: the keys each section knows, the values each
 * choice allows, and the limits of numeric settings. The section readers check a job file against
 * these lists; the enums of the typed model ({@link JobFile}, {@link ParserSpec}, and the library's
 * enums it reuses) name the same words in upper case (see {@link #word} and {@link #constant}); and
 * {@code docs/job-file.md} documents them.
 *
 * <pre>{@code
 * boolean known = JobKeys.TOP_KEYS.contains("optimizer");   // true
 * }</pre>
 *
 * @implNote Constants only; immutable and thread-safe.
 */
final class JobKeys {

    private JobKeys() {}

    static final List<String> TOP_KEYS = List.of(
            "name",
            "description",
            "parameters",
            "bounds",
            "terms",
            "combination",
            "optimizer",
            "execution",
            "output",
            "programs",
            "validation",
            "validation_every");
    static final List<String> PARAMETER_KEYS = List.of("initial", "bounds", "fixed", "unit");
    static final List<String> TERM_KEYS = List.of("name", "kind", "weight", "loss", "unit");
    static final List<String> KINDS = List.of("atoms", "external", "crystal");
    static final List<String> ATOMS_KEYS = List.of(
            "reference", "potential", "molecule_size", "exclude_intramolecular", "relax", "coordinate", "forces");
    static final List<String> RELAX_KEYS = List.of("method", "fmax", "steps", "max_step");
    /** The keys of an atoms term's {@code forces} written as a map. */
    static final List<String> FORCES_KEYS = List.of("weight");

    static final List<String> EXTERNAL_KEYS = List.of(
            "templates",
            "variables",
            "files",
            "link",
            "command",
            "commands",
            "launcher",
            "env",
            "private_tmpdir",
            "outputs",
            "reference",
            "timeout",
            "wait_for_files",
            "kill_grace",
            "retries",
            "log_files");
    static final List<String> WAIT_KEYS = List.of("files", "timeout");
    /** The most transient-failure retries of one external term ({@code FileBasedQuantityComputer}'s limit). */
    static final int MAX_RETRIES = 100;

    static final List<String> PARSERS = List.of("regex", "column", "json", "lammps_thermo", "xvg");
    static final Map<String, List<String>> PARSER_KEYS = Map.of(
            "regex", List.of("parser", "file", "pattern", "group", "select"),
            "column", List.of("parser", "file", "column", "select", "rows"),
            "json", List.of("parser", "file", "path"),
            "lammps_thermo", List.of("parser", "file", "column", "select", "rows", "run"),
            "xvg", List.of("parser", "file", "column", "select", "from", "to"));
    static final Map<String, List<String>> SELECTS = Map.of(
            "regex", List.of("first", "last", "all"),
            "column", List.of("first", "last", "all", "mean_of_last"),
            "json", List.of(),
            "lammps_thermo", List.of("first", "last", "all", "mean", "mean_of_last"),
            "xvg", List.of("first", "last", "mean", "all"));
    /** The keys of a command written as a map: its words and what it reads on standard input. */
    static final List<String> COMMAND_KEYS = List.of("run", "stdin", "stdin_template");

    static final List<String> LOSS_KEYS = List.of("type", "scale");
    static final List<String> LOSS_TYPES =
            List.of("squared_error", "mean_squared_error", "absolute_error", "relative_error");
    static final List<String> FORMS = List.of("lennard_jones", "morse", "buckingham", "coulomb");
    static final Map<String, List<String>> FORM_PARAMETERS = Map.of(
            "lennard_jones",
            List.of("epsilon", "sigma"),
            "morse",
            List.of("D", "alpha", "r0"),
            "buckingham",
            List.of("A", "rho", "C"),
            "coulomb",
            List.of("charges", "method", "tolerance", "alpha"));
    static final List<String> COULOMB_METHODS = List.of("direct", "ewald", "dsf", "minimum_image");
    static final List<String> PAIR_KEYS = List.of("form", "species", "cutoff", "shifted");
    static final List<String> COMBINATION_KEYS = List.of("reducer", "on_failure", "penalty");
    static final List<String> REDUCERS = List.of("sum", "mean", "root_mean");
    static final List<String> FAILURE_ACTIONS = List.of("raise", "penalty", "skip");
    static final List<String> OPTIMIZER_KEYS = List.of(
            "method", "max_evaluations", "seed", "batch_size", "tolerance", "finite_difference_step", "bad_value");
    static final List<String> TOLERANCE_KEYS = List.of("relative", "absolute");
    /** The keys of {@code optimizer.finite_difference_step}: the step relative to each parameter's size. */
    static final List<String> STEP_KEYS = List.of("relative");

    static final List<String> EXECUTION_KEYS = List.of("workers", "timeout", "retries", "run_directory", "keep");
    static final List<String> KEEP = List.of("all", "failed", "none");
    static final List<String> OUTPUT_KEYS = List.of("folder", "plots", "journal_terms");
    /** The values of {@code output.journal_terms}. */
    static final List<String> JOURNAL_TERMS = List.of("all", "improving");
    /** What to write instead of .nan or .inf where a finite number is needed. */
    static final String FINITE_HINT = " (.nan and .inf are not allowed here; write a number such as 1.5 or 2.0e-3)";
    /** The upper limits of the whole-number settings, stated in the messages and in docs/job-file.md. */
    static final int MAX_EVALUATIONS = 100_000_000;

    static final int MAX_BATCH = 100_000;
    /**
     * The smallest batch_size: a population method ranks the points of a generation, and CMA-ES
     * needs two ({@code Optimizers.cmaes}); stated in the messages, docs/job-file.md and the schema.
     */
    static final int MIN_BATCH = 2;

    static final int MAX_WORKERS = 4096;
    static final int MAX_MOLECULE_SIZE = 1_000_000;
    static final int MAX_RELAX_STEPS = 10_000_000;
    static final int MAX_INDEX = 1_000_000;
    static final int MAX_ROWS = 100_000_000;
    /** The longest duration (timeouts, kill grace): one year, in seconds. */
    static final double MAX_SECONDS = 365.0 * 24 * 3600;
    /** The largest magnitude of a real-valued setting (weights, scales, penalties, reference values). */
    static final double MAX_MAGNITUDE = 1e100;
    /** The methods of a {@code relax} block. */
    static final List<String> RELAX_METHODS = List.of("fire", "lbfgs");
    /** The keys of an atoms term's {@code coordinate} written as a map. */
    static final List<String> COORDINATE_KEYS = List.of("column", "unit");
    /** The keys of a crystal term, besides name, kind, weight and loss. */
    static final List<String> CRYSTAL_KEYS = List.of("structure", "formula_units", "potential", "reference");
    /** Every key a term may have, of whichever kind: what a term's misspelt {@code kind} is looked for among. */
    static final List<String> EVERY_TERM_KEY = union(List.of(TERM_KEYS, ATOMS_KEYS, EXTERNAL_KEYS, CRYSTAL_KEYS));
    /** Every key a pair term may have, of whichever form. */
    static final List<String> EVERY_PAIR_KEY = union(List.of(
            PAIR_KEYS,
            FORM_PARAMETERS.get("lennard_jones"),
            FORM_PARAMETERS.get("morse"),
            FORM_PARAMETERS.get("buckingham"),
            FORM_PARAMETERS.get("coulomb")));
    /** Every key a parser may have, of whichever parser. */
    static final List<String> EVERY_PARSER_KEY =
            union(PARSERS.stream().map(PARSER_KEYS::get).toList());

    /** @return the keys of the lists, each once, in the order they first come */
    private static List<String> union(List<List<String>> lists) {
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>();
        lists.forEach(all::addAll);
        return List.copyOf(all);
    }

    /** The quantities a crystal term computes. */
    static final List<String> CRYSTAL_QUANTITIES =
            List.of("lattice_constant", "volume", "lattice_energy", "bulk_modulus", "C11", "C12", "C44");
    /**
     * The unit in which a crystal term computes each of its quantities (lengths in Å, energies in eV,
     * moduli in GPa): its quantities' unit when the term declares none, and the only unit it may
     * declare, in one of the spellings of {@link #CRYSTAL_UNIT_SPELLINGS}.
     */
    static final Map<String, String> CRYSTAL_UNITS = Map.of(
            "lattice_constant", "Å",
            "volume", "Å^3",
            "lattice_energy", "eV",
            "bulk_modulus", "GPa",
            "C11", "GPa",
            "C12", "GPa",
            "C44", "GPa");
    /** The spellings a crystal term's {@code unit} may give each unit of {@link #CRYSTAL_UNITS}. */
    static final Map<String, List<String>> CRYSTAL_UNIT_SPELLINGS = Map.of(
            "Å", List.of("Å", "A", "Ang", "Angstrom", "angstrom"),
            "Å^3", List.of("Å^3", "Å³", "A^3", "A3", "Ang^3", "Angstrom^3", "angstrom^3"),
            "eV", List.of("eV"),
            "GPa", List.of("GPa"));

    /**
     * @param unit a crystal term's declared unit, one it computes in
     * @return {@code GPa} for GPa in another case ({@code gpa}), so that terms and metrics of one unit
     *     group as one; any other unit as written
     */
    static String gpaSpelt(String unit) {
        return unit.equalsIgnoreCase("GPa") ? "GPa" : unit;
    }

    /**
     * @param unit a crystal term's declared unit
     * @param computed a unit of {@link #CRYSTAL_UNITS}
     * @return whether the declared unit is a spelling of it; the Ångström sign (U+212B) and a
     *     decomposed Å (A and a combining ring) count as Å, and so do {@code Ångström} and
     *     {@code angstrom} in any case; eV in any case ({@code ev}) counts as eV, GPa in any case
     *     ({@code gpa}) as GPa
     */
    static boolean spells(String unit, String computed) {
        String u = java.text.Normalizer.normalize(unit, java.text.Normalizer.Form.NFC)
                .replace('\u212B', '\u00C5');
        if (CRYSTAL_UNIT_SPELLINGS.getOrDefault(computed, List.of()).contains(u)) {
            return true;
        }
        if (computed.equals("GPa") && u.equalsIgnoreCase("GPa")) {
            return true; // gpa, GPA: no other unit is spelt so
        }
        // as a chemist writes them: ev, EV; ANGSTROM, Ångström
        Double one = computed.equals("eV")
                ? EnergyUnits.perEv(u)
                : computed.equals("Å") ? EnergyUnits.lengthInAngstrom(u) : null;
        return one != null && one == 1.0;
    }

    /**
     * @param value a constant of an enum of the typed model (or of the library's enums it reuses)
     * @return its word in the job file: the name in lower case (ROOT_MEAN is root_mean)
     */
    static String word(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param <E> the enum
     * @param type the enum's class
     * @param word a word the reader has checked against the section's list
     * @return the constant the word names
     * @throws IllegalArgumentException when no constant has that word
     */
    static <E extends Enum<E>> E constant(Class<E> type, String word) {
        return Enum.valueOf(type, word.toUpperCase(Locale.ROOT));
    }
}
