package org.chemfit.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.chemfit.Names;
import org.chemfit.cli.JobFile.AtomsConfig;
import org.chemfit.cli.JobFile.CombinationSpec;
import org.chemfit.cli.JobFile.ExecutionSpec;
import org.chemfit.cli.JobFile.ExternalConfig;
import org.chemfit.cli.JobFile.LossSpec;
import org.chemfit.cli.JobFile.OptimizerSpec;
import org.chemfit.cli.JobFile.OutputSpec;
import org.chemfit.cli.JobFile.ParameterSpec;
import org.chemfit.cli.JobFile.TermConfig;
import org.chemfit.cli.JobFile.TermSpec;
import org.jspecify.annotations.NullUnmarked;

/**
 * Turns a job file's tree into a {@link JobFile}, collecting every broken rule with its place.
 * The schema is checked by hand rather than by Jackson's data binding, because binding stops at
 * the first problem and forgets where values were once they are bound; {@code validate} must
 * report them all, each at its line and column.
 *
 * @implNote One instance per file; not thread-safe.
 */
// Not yet checked by NullAway (docs/architecture.md, "Build gates", says why).
@NullUnmarked
final class JobReader {

    static final List<String> TOP_KEYS = List.of("name", "description", "parameters", "bounds", "terms", "combination",
            "optimizer", "execution", "output", "programs", "validation",
            "validation_every");
    static final List<String> PARAMETER_KEYS = List.of("initial", "bounds", "fixed", "unit");
    static final List<String> TERM_KEYS = List.of("name", "kind", "weight", "loss", "unit");
    static final List<String> KINDS = List.of("atoms", "external", "crystal");
    static final List<String> ATOMS_KEYS = List.of("reference", "potential", "molecule_size", "exclude_intramolecular", "relax",
            "coordinate");
    static final List<String> RELAX_KEYS = List.of("method", "fmax", "steps", "max_step");
    static final List<String> EXTERNAL_KEYS = List.of("templates", "variables", "files", "link", "command", "commands",
            "launcher", "env", "private_tmpdir", "outputs", "reference", "timeout", "wait_for_files", "kill_grace", "retries",
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
    static final List<String> LOSS_TYPES = List.of("squared_error", "mean_squared_error", "absolute_error", "relative_error");
    static final List<String> FORMS = List.of("lennard_jones", "morse", "buckingham", "coulomb");
    static final Map<String, List<String>> FORM_PARAMETERS = Map.of("lennard_jones", List.of("epsilon", "sigma"), "morse",
            List.of("D", "alpha", "r0"), "buckingham", List.of("A", "rho", "C"), "coulomb", List.of("charges", "method", "tolerance"));
    static final List<String> COULOMB_METHODS = List.of("direct", "ewald", "minimum_image");
    static final List<String> PAIR_KEYS = List.of("form", "species", "cutoff", "shifted");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][^*\\s]*");
    static final List<String> COMBINATION_KEYS = List.of("reducer", "on_failure", "penalty");
    static final List<String> REDUCERS = List.of("sum", "mean", "root_mean");
    static final List<String> FAILURE_ACTIONS = List.of("raise", "penalty", "skip");
    static final List<String> OPTIMIZER_KEYS = List.of("method", "max_evaluations", "seed", "batch_size", "tolerance",
            "bad_value");
    static final List<String> TOLERANCE_KEYS = List.of("relative", "absolute");
    static final List<String> EXECUTION_KEYS = List.of("workers", "timeout", "retries", "run_directory", "keep");
    static final List<String> KEEP = List.of("all", "failed", "none");
    static final List<String> OUTPUT_KEYS = List.of("folder", "plots");
    /** What to write instead of .nan or .inf where a finite number is needed. */
    static final String FINITE_HINT = " (.nan and .inf are not allowed here; write a number such as 1.5 or 2.0e-3)";
    /** The upper limits of the whole-number settings, stated in the messages and in docs/job-file.md. */
    static final int MAX_EVALUATIONS = 100_000_000;
    static final int MAX_BATCH = 100_000;
    static final int MAX_WORKERS = 4096;
    static final int MAX_MOLECULE_SIZE = 1_000_000;
    static final int MAX_RELAX_STEPS = 10_000_000;
    static final int MAX_INDEX = 1_000_000;
    static final int MAX_ROWS = 100_000_000;
    /** The longest duration (timeouts, kill grace): one year, in seconds. */
    static final double MAX_SECONDS = 365.0 * 24 * 3600;
    /** The largest magnitude of a real-valued setting (weights, scales, penalties, reference values). */
    static final double MAX_MAGNITUDE = 1e100;

    private final Path file;
    private final Path shown;
    private final Path folder;
    private final List<JobFileException.Problem> problems = new ArrayList<>();
    private final Set<Path> namedFiles = new LinkedHashSet<>();
    /** Every parameter name written, valid or not, so that a bad value is not reported again where it is used. */
    private final Set<String> declared = new LinkedHashSet<>();
    /** Parameters given bounds so far, to refuse a second set in the top-level bounds section. */
    private final Set<String> boundedInParameters = new LinkedHashSet<>();
    /** Units, coordinates and term names seen, read by {@link UnitsReading}'s methods below. */
    private final UnitsReading extras = new UnitsReading();

    private JobReader(Path file, Path shown) {
        this.file = file;
        this.shown = shown;
        this.folder = file.getParent();
    }

    static JobFile read(Path path) {
        Path file = path.toAbsolutePath().normalize();
        // Problems name the file as the user wrote it; paths inside resolve against its folder.
        Node root = NodeParser.parse(path);
        JobReader r = new JobReader(file, path);
        JobFile job = r.job(root);
        if (!r.problems.isEmpty()) {
            List<JobFileException.Problem> sorted = new ArrayList<>(r.problems);
            sorted.sort(Comparator.comparingInt(JobFileException.Problem::line).thenComparingInt(JobFileException.Problem::column));
            throw new JobFileException(sorted);
        }
        return job;
    }

    // ---------------------------------------------------------------- the sections

    private JobFile job(Node root) {
        if (root == null) {
            problem(1, 1, "the job file is empty; it needs at least 'parameters' and 'terms'");
            return null;
        }
        Node.MapNode top = map(root, "the job file");
        if (top == null) {
            return null;
        }
        // Top-level keys starting with "x-" hold blocks that anchors (&name) let the job reuse; they are not read otherwise.
        Node.MapNode checked = new Node.MapNode(top.line, top.column);
        top.keyPlaces.forEach((k, place) -> {
            if (!k.startsWith("x-")) {
                checked.keyPlaces.put(k, place);
            }
        });
        keys(checked, "the job file", TOP_KEYS);
        String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        String name = optString(top, "name", "name", stem);
        if (top.entries.containsKey("description")) {
            string(top.entries.get("description"), "description");
        }
        List<ParameterSpec> params = parameters(require(top, "parameters", "the job file"));
        if (top.entries.containsKey("bounds")) {
            params = bounds(top.entries.get("bounds"), params);
        }
        List<TermSpec> terms = terms(require(top, "terms", "the job file"));
        List<TermSpec> validation = top.entries.containsKey("validation") ? validation(top.entries.get("validation")) : List.of();
        int validationEvery = validationEvery(top);
        CombinationSpec combination = combination(top.entries.get("combination"));
        OptimizerSpec optimizer = optimizer(top.entries.get("optimizer"));
        OutputSpec output = output(top.entries.get("output"));
        ExecutionSpec execution = execution(top.entries.get("execution"));
        Map<String, List<String>> programs = programs(top.entries.get("programs"));
        if (!problems.isEmpty()) {
            return null;
        }
        return new JobFile(file, name, params, terms, combination, optimizer, execution, output, hash(), programs, validation,
                extras.units(), validationEvery);
    }

    private List<ParameterSpec> parameters(Node n) {
        List<ParameterSpec> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        Node.MapNode m = map(n, "parameters");
        if (m == null) {
            return out;
        }
        if (m.entries.isEmpty()) {
            problem(m, "parameters must name at least one parameter");
        }
        parameterGroup("", m, out);
        return out;
    }

    private void parameterGroup(String prefix, Node.MapNode group, List<ParameterSpec> out) {
        for (Map.Entry<String, Node> e : group.entries.entrySet()) {
            String key = e.getKey();
            int[] place = group.keyPlaces.get(key);
            String name = prefix.isEmpty() ? key : prefix + "." + key;
            if (key.isEmpty() || key.contains(" ") || key.startsWith(".") || key.endsWith(".") || key.contains("..")) {
                problem(place[0], place[1], "parameter name '" + name + "' must be non-empty, without spaces or empty parts between dots");
                continue;
            }
            Node v = e.getValue();
            if (!(v instanceof Node.MapNode vm) || vm.entries.containsKey("initial") || vm.entries.containsKey("bounds")
                    || vm.entries.containsKey("fixed")) {
                declared.add(name);
            }
            if (v instanceof Node.Scalar s && s.value instanceof Number num) {
                if (!prefix.isEmpty() && isNearSpecKey(key)) {
                    problem(place[0], place[1], "unknown key '" + key + "' in parameter '" + prefix + "' (did you mean '"
                            + Names.closest(key, PARAMETER_KEYS) + "'?); a parameter's keys are: " + String.join(", ", PARAMETER_KEYS));
                    continue;
                }
                double d = num.doubleValue();
                if (!Double.isFinite(d)) {
                    problem(v, "initial value of parameter '" + name + "' must be finite, got " + fmt(d) + FINITE_HINT);
                    continue;
                }
                out.add(new ParameterSpec(name, d, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, false));
            } else if (v instanceof Node.MapNode sub) {
                boolean isSpec = sub.entries.containsKey("initial") || sub.entries.containsKey("bounds")
                        || sub.entries.containsKey("fixed");
                if (isSpec) {
                    parameterSpec(name, sub, out);
                } else if (sub.entries.isEmpty()) {
                    problem(v, "parameter group '" + name + "' is empty");
                } else {
                    parameterGroup(name, sub, out);
                }
            } else {
                problem(v, "parameter '" + name + "' must be a number (its initial value), a map with 'initial' (and "
                        + "optionally 'bounds', 'fixed') or a group of parameters, got " + v.kind());
            }
        }
    }

    /**
     * The top-level {@code bounds} section: bounds nested like the parameters (or by dotted names),
     * as ChemFit's bounds dict, applied to the parameters read before.
     */
    private List<ParameterSpec> bounds(Node n, List<ParameterSpec> params) {
        Node.MapNode m = map(n, "bounds");
        if (m == null) {
            return params;
        }
        Map<String, ParameterSpec> byName = new LinkedHashMap<>();
        for (ParameterSpec p : params) {
            byName.put(p.name(), p);
        }
        boundsGroup("", m, byName);
        return new ArrayList<>(byName.values());
    }

    private void boundsGroup(String prefix, Node.MapNode group, Map<String, ParameterSpec> byName) {
        if (group.entries.isEmpty()) {
            problem(group, prefix.isEmpty() ? "bounds must bound at least one parameter" : "bounds group '" + prefix + "' is empty");
            return;
        }
        for (Map.Entry<String, Node> e : group.entries.entrySet()) {
            String name = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            int[] place = group.keyPlaces.get(e.getKey());
            Node v = e.getValue();
            if (v instanceof Node.MapNode sub) {
                boundsGroup(name, sub, byName);
                continue;
            }
            String where = "bounds of '" + name + "'";
            if (!(v instanceof Node.ListNode l) || l.items.size() != 2) {
                problem(v, where + " must be a list of two numbers [lower, upper] (null for an open side) or a group of bounds, got "
                        + (v instanceof Node.ListNode l2 ? "a list of " + l2.items.size() : v.kind()));
                continue;
            }
            ParameterSpec p = byName.get(name);
            if (p == null) {
                String sug = Names.closest(name, byName.keySet());
                problem(place[0], place[1], where + ": no such parameter" + (sug == null ? "" : " (did you mean '" + sug + "'?)")
                        + "; known parameters: " + String.join(", ", byName.keySet()));
                continue;
            }
            if (boundedInParameters.contains(name)) {
                problem(place[0], place[1], "parameter '" + name + "' is bounded twice: in 'parameters' and in 'bounds'; keep one");
                continue;
            }
            Double lo = bound(l.items.get(0), where + " lower bound", Double.NEGATIVE_INFINITY);
            Double hi = bound(l.items.get(1), where + " upper bound", Double.POSITIVE_INFINITY);
            if (lo == null || hi == null) {
                continue;
            }
            if (lo > hi) {
                problem(v, where + ": the lower bound must not exceed the upper bound, got [" + fmt(lo) + ", " + fmt(hi) + "]");
            } else if (p.initial() < lo || p.initial() > hi) {
                problem(v, "initial value of parameter '" + name + "' must lie within its bounds [" + fmt(lo) + ", " + fmt(hi)
                        + "], got " + fmt(p.initial()));
            } else {
                boundedInParameters.add(name);
                byName.put(name, new ParameterSpec(name, p.initial(), lo, hi, p.fixed()));
            }
        }
    }

    private static boolean isNearSpecKey(String key) {
        if (key.length() < 5) {
            return false;
        }
        for (String k : PARAMETER_KEYS) {
            if (Names.distance(key.toLowerCase(Locale.ROOT), k) == 1) {
                return true;
            }
        }
        return false;
    }

    private void parameterSpec(String name, Node.MapNode m, List<ParameterSpec> out) {
        String where = "parameter '" + name + "'";
        keys(m, where, PARAMETER_KEYS);
        Node init = require(m, "initial", where);
        Double initial = init == null ? null : finite(init, where + " initial value");
        double lo = Double.NEGATIVE_INFINITY;
        double hi = Double.POSITIVE_INFINITY;
        boolean ok = initial != null;
        Node b = m.entries.get("bounds");
        if (b != null) {
            boundedInParameters.add(name);
            if (!(b instanceof Node.ListNode l) || l.items.size() != 2) {
                problem(b, where + " bounds must be a list of two numbers [lower, upper] (null for an open side), got "
                        + (b instanceof Node.ListNode l2 ? "a list of " + l2.items.size() : b.kind()));
                ok = false;
            } else {
                Double l0 = bound(l.items.get(0), where + " lower bound", Double.NEGATIVE_INFINITY);
                Double h0 = bound(l.items.get(1), where + " upper bound", Double.POSITIVE_INFINITY);
                if (l0 == null || h0 == null) {
                    ok = false;
                } else {
                    lo = l0;
                    hi = h0;
                    if (lo > hi) {
                        problem(b, where + " lower bound must not exceed its upper bound, got [" + fmt(lo) + ", " + fmt(hi) + "]");
                        ok = false;
                    } else if (initial != null && (initial < lo || initial > hi)) {
                        problem(init, where + " initial value must lie within its bounds [" + fmt(lo) + ", " + fmt(hi) + "], got "
                                + fmt(initial));
                        ok = false;
                    }
                }
            }
        }
        boolean fixed = m.entries.containsKey("fixed") && Boolean.TRUE.equals(bool(m.entries.get("fixed"), where + " fixed"));
        if (m.entries.containsKey("unit")) {
            String u = unit(m.entries.get("unit"), where + " unit");
            if (u != null) {
                extras.parameters.put(name, u);
            }
        }
        if (ok) {
            out.add(new ParameterSpec(name, initial, lo, hi, fixed));
        }
    }

    private Double bound(Node n, String where, double open) {
        if (n instanceof Node.Scalar s && s.value == null) {
            return open;
        }
        Double d = number(n, where);
        if (d != null && Double.isNaN(d)) {
            problem(n, where + " must be a number, got .nan; write a number, or null (or " + (open < 0 ? "-.inf" : ".inf")
                    + ") for an open side");
            return null;
        }
        return d;
    }

    private List<TermSpec> terms(Node n) {
        return terms(n, "terms");
    }

    private List<TermSpec> terms(Node n, String section) {
        List<TermSpec> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        if (!(n instanceof Node.ListNode l)) {
            problem(n, section + " must be a list of terms (each starting with '- '), got " + n.kind());
            return out;
        }
        if (l.items.isEmpty()) {
            problem(n, section + " must hold at least one term");
        }
        Set<String> paramNames = declared;
        Map<String, Node> seen = extras.termNames;
        for (int i = 0; i < l.items.size(); i++) {
            String where = section + "[" + i + "]";
            Node.MapNode t = map(l.items.get(i), where);
            if (t == null) {
                continue;
            }
            String kind = choice(require(t, "kind", where), where + " kind", KINDS);
            List<String> known = new ArrayList<>(TERM_KEYS);
            if ("atoms".equals(kind)) {
                known.addAll(ATOMS_KEYS);
            } else if ("external".equals(kind)) {
                known.addAll(EXTERNAL_KEYS);
            } else if ("crystal".equals(kind)) {
                known.addAll(CrystalTermReader.KEYS);
            } else {
                known.addAll(ATOMS_KEYS);
                known.addAll(EXTERNAL_KEYS);
            }
            keys(t, where + (kind == null ? "" : " (kind " + kind + ")"), known);
            String name = optString(t, "name", where + " name", (kind == null ? "term" : kind) + "-" + i);
            if (t.entries.containsKey("name") && name != null) {
                Node prev = seen.put(name, t.entries.get("name"));
                if (prev != null) {
                    problem(t.entries.get("name"), "term name '" + name + "' is used twice (first at line " + prev.line + ")");
                }
            }
            String whereNamed = "term '" + name + "'";
            double weight = 1.0;
            if (t.entries.containsKey("weight")) {
                Double w = finite(t.entries.get("weight"), whereNamed + " weight");
                if (w != null && w < 0) {
                    problem(t.entries.get("weight"), whereNamed + " weight must not be negative, got " + fmt(w));
                } else if (w != null) {
                    weight = w;
                }
            }
            TermConfig config = null;
            if ("atoms".equals(kind)) {
                config = atoms(t, whereNamed, paramNames);
            } else if ("external".equals(kind)) {
                config = external(t, whereNamed);
            } else if ("crystal".equals(kind)) {
                config = new CrystalTermReader(this).read(t, whereNamed, paramNames);
            }
            List<String> quantities = config instanceof AtomsConfig ? List.of("energy")
                    : config instanceof JobFile.CrystalConfig c ? new ArrayList<>(c.reference().keySet())
                    : config instanceof ExternalConfig x ? new ArrayList<>(x.reference().keySet()) : List.of();
            LossSpec loss = loss(t.entries.get("loss"), whereNamed, quantities);
            if (config != null && loss != null && "relative_error".equals(loss.type()) && config instanceof ExternalConfig x) {
                x.reference().forEach((q, ref) -> {
                    for (double d : ref) {
                        if (d == 0) {
                            problem(t.entries.get("loss"), whereNamed + " loss relative_error needs non-zero reference values, but '"
                                    + q + "' has 0");
                            return;
                        }
                    }
                });
            }
            termExtras(t, whereNamed, name, quantities, config);
            if (config != null && loss != null) {
                out.add(new TermSpec(name, kind, weight, loss, config));
            }
        }
        return out;
    }

    private AtomsConfig atoms(Node.MapNode t, String where, Set<String> paramNames) {
        Path reference = path(require(t, "reference", where), where + " reference", true);
        // The species of every structure, to check the potential's species against (null when a file cannot be read).
        Set<String> present = reference == null ? null : new java.util.TreeSet<>();
        if (reference != null) {
            // The structures belong in the job's hash too; a broken CSV is reported when the data are read.
            try {
                for (org.chemfit.atoms.ReferenceEntry e : org.chemfit.atoms.ReferenceCsv.read(reference)) {
                    if (Files.isRegularFile(e.file())) {
                        namedFiles.add(e.file().toAbsolutePath().normalize());
                        present.addAll(org.chemfit.atoms.Xyz.read(e.file()).speciesList());
                    } else {
                        present = null;
                    }
                }
            } catch (RuntimeException e) {
                // reported by FitPlan with the file and line
                present = null;
            }
        }
        int moleculeSize = 0;
        Integer ms = optInt(t, "molecule_size", where + " molecule_size", 1, MAX_MOLECULE_SIZE);
        if (ms != null) {
            moleculeSize = ms;
        }
        boolean exclude = t.entries.containsKey("exclude_intramolecular")
                && Boolean.TRUE.equals(bool(t.entries.get("exclude_intramolecular"), where + " exclude_intramolecular"));
        if (exclude && moleculeSize == 0) {
            problem(t.entries.get("exclude_intramolecular"), where + " exclude_intramolecular needs molecule_size (how many atoms "
                    + "make one molecule)");
        }
        List<JobFile.PairTermSpec> pairs = new ArrayList<>();
        Node pn = require(t, "potential", where);
        List<Node> items = new ArrayList<>();
        if (pn instanceof Node.ListNode l) {
            if (l.items.isEmpty()) {
                problem(pn, where + " potential must hold at least one pair term");
            }
            items.addAll(l.items);
        } else if (pn != null) {
            items.add(pn);
        }
        for (int i = 0; i < items.size(); i++) {
            String w = where + " potential" + (pn instanceof Node.ListNode ? "[" + i + "]" : "");
            Node.MapNode pm = map(items.get(i), w);
            if (pm == null) {
                continue;
            }
            JobFile.PairTermSpec spec = pairTerm(pm, w, paramNames);
            if (spec != null) {
                pairs.add(spec);
            }
        }
        if (present != null && !present.isEmpty()) {
            for (int i = 0; i < items.size(); i++) {
                speciesPresent(items.get(i), where + " potential" + (pn instanceof Node.ListNode ? "[" + i + "]" : ""), present,
                        t.entries.get("reference"));
            }
        }
        JobFile.RelaxSpec relax = null;
        boolean relaxOk = true;
        Node rn = t.entries.get("relax");
        if (rn instanceof Node.Scalar sc && sc.value instanceof Boolean b) {
            relax = b ? new JobFile.RelaxSpec("fire", 1e-5, 2000, 0.2) : null;
        } else if (rn != null) {
            Node.MapNode rm = map(rn, where + " relax");
            relaxOk = rm != null;
            if (rm != null) {
                keys(rm, where + " relax", RELAX_KEYS);
                String method = rm.entries.containsKey("method") ? choice(rm.entries.get("method"), where + " relax method",
                        List.of("fire", "lbfgs")) : "fire";
                double fmax = 1e-5;
                if (rm.entries.containsKey("fmax")) {
                    Double d = positive(rm.entries.get("fmax"), where + " relax fmax");
                    relaxOk &= d != null;
                    fmax = d == null ? fmax : d;
                }
                Integer steps = optInt(rm, "steps", where + " relax steps", 1, MAX_RELAX_STEPS);
                relaxOk &= steps != null || !rm.entries.containsKey("steps");
                double maxStep = 0.2;
                if (rm.entries.containsKey("max_step")) {
                    Double d = positive(rm.entries.get("max_step"), where + " relax max_step");
                    relaxOk &= d != null;
                    maxStep = d == null ? maxStep : d;
                }
                relaxOk &= method != null;
                relax = new JobFile.RelaxSpec(method, fmax, steps == null ? 2000 : steps, maxStep);
            }
        }
        if (reference == null || pairs.size() != items.size() || items.isEmpty() || !relaxOk) {
            return null;
        }
        return new AtomsConfig(reference, pairs, moleculeSize, exclude, relax);
    }

    /**
     * A pair term whose species match no atom of any structure never contributes: the fit would
     * "converge" without moving. Each species it names must be in at least one structure.
     */
    private void speciesPresent(Node item, String w, Set<String> present, Node referenceNode) {
        if (!(item instanceof Node.MapNode pm)) {
            return;
        }
        List<Node> named = new ArrayList<>();
        List<String> names = new ArrayList<>();
        if (pm.entries.get("species") instanceof Node.ListNode l) {
            for (Node sn : l.items) {
                if (sn instanceof Node.Scalar sc && sc.value instanceof String str && !str.equals("*")) {
                    named.add(sn);
                    names.add(str);
                }
            }
        }
        if (pm.entries.get("charges") instanceof Node.MapNode cm) {
            // Coulomb matches atoms when one charged species is there; a species there without a charge fails when evaluated.
            if (!cm.entries.isEmpty() && cm.entries.keySet().stream().noneMatch(present::contains)) {
                problem(cm, w + " gives charges to " + String.join(", ", cm.entries.keySet()) + ", none of which any structure of "
                        + ((Node.Scalar) referenceNode).value + " has; species there: " + String.join(", ", present));
            }
            return;
        }
        for (int k = 0; k < named.size(); k++) {
            if (!present.contains(names.get(k))) {
                String sug = suggest(names.get(k), present);
                problem(named.get(k), w + " names species '" + names.get(k) + "', which no structure of "
                        + ((Node.Scalar) referenceNode).value + " has" + (sug == null ? "" : " (did you mean '" + sug + "'?)")
                        + "; species there: " + String.join(", ", present));
            }
        }
    }

    JobFile.PairTermSpec pairTerm(Node.MapNode pm, String w, Set<String> paramNames) {
        String form = choice(require(pm, "form", w), w + " form", FORMS);
        List<String> known = new ArrayList<>(PAIR_KEYS);
        known.addAll(form == null ? List.of() : FORM_PARAMETERS.get(form));
        if (form != null) {
            keys(pm, w + " (" + form + ")", known);
        }
        String a = "*";
        String b = "*";
        Node sp = pm.entries.get("species");
        if (sp != null) {
            if ("coulomb".equals(form)) {
                problem(sp, w + " species does not apply to coulomb, which gives a charge per species under 'charges'");
            } else if (sp instanceof Node.ListNode l && l.items.size() == 2) {
                a = string(l.items.get(0), w + " species[0]");
                b = string(l.items.get(1), w + " species[1]");
            } else {
                problem(sp, w + " species must be a list of two species, such as [Ar, Ar] ('*' for any), got "
                        + (sp instanceof Node.ListNode l ? "a list of " + l.items.size() : sp.kind()));
                a = null;
            }
        }
        double cutoff = Double.POSITIVE_INFINITY;
        if (pm.entries.containsKey("cutoff")) {
            Double c = positive(pm.entries.get("cutoff"), w + " cutoff");
            cutoff = c == null ? cutoff : c;
        }
        boolean shifted = pm.entries.containsKey("shifted") && Boolean.TRUE.equals(bool(pm.entries.get("shifted"), w + " shifted"));
        if (shifted && !pm.entries.containsKey("cutoff")) {
            problem(pm.entries.get("shifted"), w + " shifted needs a cutoff (the energy is shifted to zero there)");
        }
        if (form == null) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        boolean ok = a != null && b != null;
        if (form.equals("coulomb")) {
            Node cn = require(pm, "charges", w);
            Node.MapNode cm = cn == null ? null : map(cn, w + " charges");
            if (cm == null) {
                return null;
            }
            if (cm.entries.isEmpty()) {
                problem(cm, w + " charges must give the charge of at least one species");
            }
            for (Map.Entry<String, Node> e : cm.entries.entrySet()) {
                String ref = reference(e.getValue(), w + " charge of '" + e.getKey() + "'", paramNames, false);
                ok &= ref != null;
                params.put(e.getKey(), ref);
            }
            String method = pm.entries.containsKey("method") ? choice(pm.entries.get("method"), w + " method", COULOMB_METHODS)
                    : "direct";
            double tolerance = JobFile.PairTermSpec.DEFAULT_EWALD_TOLERANCE;
            if (pm.entries.containsKey("tolerance")) {
                Double t = positive(pm.entries.get("tolerance"), w + " tolerance");
                if (!"ewald".equals(method)) {
                    problem(pm.entries.get("tolerance"), w + " tolerance applies to method: ewald only");
                } else if (t != null && t > 1e-2) {
                    problem(pm.entries.get("tolerance"), w + " tolerance must be at most 0.01, got " + t);
                } else if (t != null) {
                    tolerance = t;
                }
            }
            if (method != null && !method.equals("direct") && pm.entries.containsKey("cutoff")) {
                problem(pm.entries.get("cutoff"), w + " cutoff applies to method: direct only (ewald derives its cutoffs"
                        + " from the tolerance)");
            }
            return ok && method != null ? new JobFile.PairTermSpec(form, a, b, params, cutoff, shifted, method, tolerance) : null;
        } else {
            for (String k : FORM_PARAMETERS.get(form)) {
                Node v = require(pm, k, w + " (" + form + ")");
                // Buckingham's dispersion C may be zero (many oxide potentials have no cation-anion C)
                String ref = v == null ? null : reference(v, w + " " + k, paramNames, !(form.equals("buckingham") && k.equals("C")));
                ok &= ref != null;
                params.put(k, ref);
            }
        }
        return ok ? new JobFile.PairTermSpec(form, a, b, params, cutoff, shifted) : null;
    }

    /**
     * Reads a value a potential takes from the parameters: a number, a parameter name, or
     * factor*name ("-2*qH"); a name must be a parameter of the job.
     */
    private String reference(Node n, String where, Set<String> paramNames, boolean positiveConstant) {
        if (n instanceof Node.Scalar s && s.value instanceof Number num) {
            double d = num.doubleValue();
            if (!Double.isFinite(d) || positiveConstant && d <= 0) {
                problem(n, where + " must be " + (positiveConstant ? "positive" : "finite") + ", got " + fmt(d)
                        + (Double.isFinite(d) ? "" : FINITE_HINT));
                return null;
            }
            return Double.toString(d);
        }
        String text = n instanceof Node.Scalar s && s.value instanceof String str ? str.trim() : null;
        if (text == null) {
            problem(n, where + " must be a number, a parameter name or factor*name (such as -2*qH), got " + n.kind());
            return null;
        }
        String name = text;
        int star = text.indexOf('*');
        if (star >= 0) {
            String left = text.substring(0, star).trim();
            String right = text.substring(star + 1).trim();
            if (isNumber(left) && !isNumber(right)) {
                name = right;
            } else if (isNumber(right) && !isNumber(left)) {
                name = left;
            } else {
                name = null;
            }
        }
        if (name == null || !NAME.matcher(name).matches()) {
            problem(n, where + " must be a number, a parameter name or factor*name (such as -2*qH), got '" + text + "'");
            return null;
        }
        if (!paramNames.isEmpty() && !paramNames.contains(name)) {
            String sug = suggest(name, paramNames);
            problem(n, where + " names unknown parameter '" + name + "'" + (sug == null ? "" : " (did you mean '" + sug + "'?)")
                    + "; parameters: " + String.join(", ", paramNames));
            return null;
        }
        return text;
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private ExternalConfig external(Node.MapNode t, String where) {
        Map<String, Path> templates = stagedFiles(t.entries.get("templates"), where + " templates");
        Map<String, Path> files = stagedFiles(t.entries.get("files"), where + " files");
        Map<String, Path> links = linkedFiles(t.entries.get("link"), where + " link", files, templates);
        Map<Integer, ExternalConfig.StdinSpec> stdin = new LinkedHashMap<>();
        List<List<String>> commands = commands(t, where, stdin);
        List<String> launcher = t.entries.containsKey("launcher") ? words(t.entries.get("launcher"), where + " launcher", true)
                : List.of();
        Map<String, Object> variables = new LinkedHashMap<>();
        if (t.entries.containsKey("variables")) {
            Node.MapNode vm = map(t.entries.get("variables"), where + " variables");
            if (vm != null) {
                for (Map.Entry<String, Node> e : vm.entries.entrySet()) {
                    int[] place = vm.keyPlaces.get(e.getKey());
                    if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                        problem(place[0], place[1], where + " variable name '" + e.getKey() + "' must be an identifier (letters, digits, _)");
                    } else if (declared.contains(e.getKey()) || declared.stream().anyMatch(d -> d.startsWith(e.getKey() + "."))) {
                        problem(place[0], place[1], where + " variable '" + e.getKey() + "' has the name of a parameter");
                    } else if (e.getValue() instanceof Node.Scalar sc && sc.value != null) {
                        variables.put(e.getKey(), sc.value);
                    } else {
                        problem(e.getValue(), where + " variable '" + e.getKey() + "' must be a number, a string or true/false, got "
                                + e.getValue().kind());
                    }
                }
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        if (t.entries.containsKey("env")) {
            Node.MapNode em = map(t.entries.get("env"), where + " env");
            if (em != null) {
                for (Map.Entry<String, Node> e : em.entries.entrySet()) {
                    if (e.getValue() instanceof Node.Scalar sc && sc.value != null && !(sc.value instanceof Boolean)) {
                        env.put(e.getKey(), String.valueOf(sc.value));
                    } else {
                        problem(e.getValue(), where + " env " + e.getKey() + " must be a string or a number, got " + e.getValue().kind());
                    }
                }
            }
        }
        List<OutputSpec.Parsed> outputs = new ArrayList<>();
        Node on = require(t, "outputs", where);
        Node.MapNode om = on == null ? null : map(on, where + " outputs");
        if (om != null) {
            if (om.entries.isEmpty()) {
                problem(om, where + " outputs must name at least one quantity");
            }
            for (Map.Entry<String, Node> e : om.entries.entrySet()) {
                OutputSpec.Parsed parsed = output(e.getKey(), e.getValue(), where + " output '" + e.getKey() + "'");
                if (parsed != null) {
                    outputs.add(parsed);
                }
            }
        }
        Map<String, double[]> reference = new LinkedHashMap<>();
        Node rn = require(t, "reference", where);
        Node.MapNode rm = rn == null ? null : map(rn, where + " reference");
        if (rm != null) {
            for (Map.Entry<String, Node> e : rm.entries.entrySet()) {
                String q = e.getKey();
                int[] place = rm.keyPlaces.get(q);
                if (om != null && !om.entries.containsKey(q)) {
                    String sug = suggest(q, om.entries.keySet());
                    problem(place[0], place[1], where + " reference names '" + q + "', which no output computes"
                            + (sug == null ? "" : " (did you mean '" + sug + "'?)") + "; outputs: " + String.join(", ", om.entries.keySet()));
                    continue;
                }
                Node v = e.getValue();
                if (v instanceof Node.ListNode l) {
                    double[] a = new double[l.items.size()];
                    boolean good = !l.items.isEmpty();
                    for (int k = 0; k < a.length; k++) {
                        Double d = finite(l.items.get(k), where + " reference '" + q + "'[" + k + "]");
                        if (d == null) {
                            good = false;
                        } else {
                            a[k] = d;
                        }
                    }
                    if (l.items.isEmpty()) {
                        problem(v, where + " reference '" + q + "' must not be an empty list");
                    }
                    if (good) {
                        reference.put(q, a);
                    }
                } else {
                    Double d = finite(v, where + " reference '" + q + "'");
                    if (d != null) {
                        reference.put(q, new double[] {d});
                    }
                }
            }
            if (rm.entries.isEmpty()) {
                problem(rm, where + " reference must give at least one reference value");
            }
        }
        Duration timeout = t.entries.containsKey("timeout") ? duration(t.entries.get("timeout"), where + " timeout") : null;
        boolean privateTmp = t.entries.containsKey("private_tmpdir")
                && Boolean.TRUE.equals(bool(t.entries.get("private_tmpdir"), where + " private_tmpdir"));
        ExternalConfig.WaitSpec wait = t.entries.containsKey("wait_for_files") ? waitForFiles(t.entries.get("wait_for_files"), where)
                : null;
        Duration killGrace = t.entries.containsKey("kill_grace") ? grace(t.entries.get("kill_grace"), where + " kill_grace") : null;
        Integer retries = optInt(t, "retries", where + " retries", 0, MAX_RETRIES);
        if (retries != null && retries > MAX_RETRIES) {
            problem(t.entries.get("retries"), where + " retries must be at most " + MAX_RETRIES + ", got " + retries);
        }
        return new ExternalConfig(templates, variables, files, links, commands, launcher, env, privateTmp, outputs, reference, timeout,
                wait, killGrace, retries == null ? 0 : Math.min(retries, MAX_RETRIES), stdin, logFiles(t.entries.get("log_files"), where));
    }

    /** {@code log_files}: a path or a list of paths in the run directory, each named once. */
    private List<String> logFiles(Node n, String where) {
        List<String> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        String w = where + " log_files";
        List<Node> items = n instanceof Node.ListNode l ? l.items : List.of(n);
        for (Node item : items) {
            String f = string(item, w);
            if (f == null) {
                continue;
            }
            String normal;
            try {
                normal = Path.of(f).normalize().toString();
            } catch (java.nio.file.InvalidPathException e) {
                normal = "..";
            }
            if (f.startsWith("/") || normal.equals("..") || normal.startsWith("../") || normal.isEmpty()) {
                problem(item, w + " must name files relative to the run directory that stay inside it, got '" + f + "'");
            } else if (out.contains(normal)) {
                problem(item, w + " names '" + f + "' twice");
            } else {
                out.add(normal);
            }
        }
        return out;
    }

    /** {@code command} (one command) or {@code commands} (a list of commands run in order); exactly one of them. */
    private List<List<String>> commands(Node.MapNode t, String where, Map<Integer, ExternalConfig.StdinSpec> stdin) {
        List<List<String>> out = new ArrayList<>();
        Node many = t.entries.get("commands");
        if (many == null) {
            List<String> one = commandWithStdin(require(t, "command", where), where + " command", 0, stdin);
            if (!one.isEmpty()) {
                out.add(one);
            }
            return out;
        }
        if (t.entries.containsKey("command")) {
            int[] place = t.keyPlaces.get("commands");
            problem(place[0], place[1], where + " has both 'command' and 'commands'; give one command with 'command' or a list "
                    + "of commands run in order with 'commands'");
            return out;
        }
        if (!(many instanceof Node.ListNode l) || l.items.isEmpty()) {
            problem(many, where + " commands must be a non-empty list of commands (each a string or a list of strings), got "
                    + many.kind());
            return out;
        }
        for (int i = 0; i < l.items.size(); i++) {
            List<String> c = commandWithStdin(l.items.get(i), where + " commands[" + i + "]", out.size(), stdin);
            if (!c.isEmpty()) {
                out.add(c);
            }
        }
        return out;
    }

    /** {@code wait_for_files}: {files: a path or a list of paths in the run directory, timeout: duration}. */
    private ExternalConfig.WaitSpec waitForFiles(Node n, String where) {
        String w = where + " wait_for_files";
        Node.MapNode m = map(n, w);
        if (m == null) {
            return null;
        }
        keys(m, w, WAIT_KEYS);
        Node fn = require(m, "files", w);
        Node tn = require(m, "timeout", w);
        List<String> files = new ArrayList<>();
        if (fn != null) {
            List<Node> items = fn instanceof Node.ListNode l ? l.items : List.of(fn);
            if (items.isEmpty()) {
                problem(fn, w + " files must name at least one file");
            }
            for (Node item : items) {
                String f = string(item, w + " files");
                if (f == null) {
                    continue;
                }
                if (f.startsWith("/") || Path.of(f).normalize().startsWith("..")) {
                    problem(item, w + " file must be relative to the run directory and stay inside it, got '" + f + "'");
                } else {
                    files.add(f);
                }
            }
        }
        Duration limit = tn == null ? null : duration(tn, w + " timeout");
        return files.isEmpty() || limit == null ? null : new ExternalConfig.WaitSpec(files, limit);
    }

    /** {@code kill_grace}: a duration that may be 0 (SIGKILL at once). */
    private Duration grace(Node n, String where) {
        if (n instanceof Node.Scalar s && s.value instanceof Number num) {
            if (num.doubleValue() == 0) {
                return Duration.ZERO;
            }
            if (!(num.doubleValue() > 0) || !Double.isFinite(num.doubleValue())) {
                problem(n, where + " must be 0 or a positive duration: seconds (5) or a number with a unit (500ms, 5s), got "
                        + (Double.isFinite(num.doubleValue()) ? num : fmt(num.doubleValue())));
                return null;
            }
        }
        return duration(n, where);
    }

    /** {@code link}: as {@code files}, but each is staged by a symbolic link and may be a folder. */
    private Map<String, Path> linkedFiles(Node n, String where, Map<String, Path> files, Map<String, Path> templates) {
        Map<String, Path> out = new LinkedHashMap<>();
        if (n == null) {
            return out;
        }
        Map<Node, String> targets = new LinkedHashMap<>();
        if (n instanceof Node.MapNode m) {
            for (Map.Entry<String, Node> e : m.entries.entrySet()) {
                String target = e.getKey();
                if (target.startsWith("/") || Path.of(target).normalize().startsWith("..")) {
                    int[] place = m.keyPlaces.get(target);
                    problem(place[0], place[1], where + " name '" + target + "' must be relative to the run directory and stay inside it");
                } else {
                    targets.put(e.getValue(), target);
                }
            }
        } else {
            for (Node item : n instanceof Node.ListNode l ? l.items : List.of(n)) {
                targets.put(item, null);
            }
        }
        for (Map.Entry<Node, String> e : targets.entrySet()) {
            Path p = path(e.getKey(), where, false);
            if (p == null) {
                continue;
            }
            if (!Files.exists(p)) {
                problem(e.getKey(), where + " names a file or folder that does not exist: " + p);
                continue;
            }
            String target = e.getValue() != null ? e.getValue() : p.getFileName().toString();
            if (out.containsKey(target) || files.containsKey(target) || templates.containsKey(target)) {
                problem(e.getKey(), where + " puts a second file named '" + target + "' into the run directory; give it another name "
                        + "with a map (run-directory name: file)");
                continue;
            }
            if (Files.isRegularFile(p)) {
                namedFiles.add(p);
            }
            out.put(target, p);
        }
        return out;
    }

    /** Reads how one quantity is parsed from a run directory. */
    private OutputSpec.Parsed output(String quantity, Node n, String w) {
        Node.MapNode pm = map(n, w);
        if (pm == null) {
            return null;
        }
        String parser = choice(require(pm, "parser", w), w + " parser", PARSERS);
        if (parser == null) {
            return null;
        }
        keys(pm, w + " (" + parser + ")", PARSER_KEYS.get(parser));
        String f = string(require(pm, "file", w), w + " file");
        if (f != null && (f.startsWith("/") || Path.of(f).normalize().startsWith(".."))) {
            problem(pm.entries.get("file"), w + " file must be relative to the run directory and stay inside it, got '" + f + "'");
            f = null;
        }
        Map<String, Object> options = new LinkedHashMap<>();
        boolean ok = f != null;
        switch (parser) {
            case "regex" -> {
                String pattern = string(require(pm, "pattern", w + " (regex)"), w + " pattern");
                ok &= pattern != null;
                if (pattern != null) {
                    try {
                        java.util.regex.Pattern.compile(pattern);
                        options.put("pattern", pattern);
                    } catch (java.util.regex.PatternSyntaxException ex) {
                        problem(pm.entries.get("pattern"), w + " pattern is not a valid regular expression: " + ex.getDescription()
                                + " near index " + ex.getIndex());
                        ok = false;
                    }
                }
                Node g = pm.entries.get("group");
                if (g instanceof Node.Scalar sc && sc.value instanceof String name) {
                    options.put("group", name);
                } else if (g != null) {
                    Integer gi = optInt(pm, "group", w + " group", 0, MAX_INDEX);
                    ok &= gi != null;
                    options.put("group", gi);
                }
            }
            case "column", "lammps_thermo" -> {
                Node c = require(pm, "column", w + " (" + parser + ")");
                if (c instanceof Node.Scalar sc && sc.value instanceof String name && !name.isBlank()) {
                    options.put("column", name);
                } else if (c != null && parser.equals("column")) {
                    Integer ci = optInt(pm, "column", w + " column (a header name, or an index from 0)", 0, MAX_INDEX);
                    ok &= ci != null;
                    options.put("column", ci);
                } else if (c != null) {
                    problem(c, w + " column must be a thermo keyword as LAMMPS prints it (PotEng, Press, Density), got " + c.kind());
                    ok = false;
                } else {
                    ok = false;
                }
                if (pm.entries.containsKey("run")) {
                    Node r = pm.entries.get("run");
                    Double d = number(r, w + " run");
                    if (d != null && (d != Math.rint(d) || Math.abs(d) > MAX_INDEX)) {
                        problem(r, w + " run must be a whole number from -" + MAX_INDEX + " to " + MAX_INDEX
                                + " (0 the first thermo table, -1 the last), got " + fmt(d));
                        ok = false;
                    } else if (d != null) {
                        options.put("run", d.intValue());
                    }
                }
            }
            case "xvg" -> ok &= xvgOptions(pm, w, options);
            default -> {
                String path = string(require(pm, "path", w + " (json)"), w + " path");
                ok &= path != null;
                options.put("path", path);
            }
        }
        if (pm.entries.containsKey("select")) {
            String sel = choice(pm.entries.get("select"), w + " select", SELECTS.get(parser));
            ok &= sel != null;
            options.put("select", sel);
            if ("mean_of_last".equals(sel)) {
                Node rows = require(pm, "rows", w + " (select: mean_of_last)");
                Integer ri = rows == null ? null : optInt(pm, "rows", w + " rows", 1, MAX_ROWS);
                ok &= ri != null;
                options.put("rows", ri);
            }
        }
        if (pm.entries.containsKey("rows") && !"mean_of_last".equals(options.get("select"))) {
            int[] place = pm.keyPlaces.get("rows");
            problem(place[0], place[1], w + " rows is used only with select: mean_of_last");
            ok = false;
        }
        return ok ? new OutputSpec.Parsed(quantity, f, parser, options) : null;
    }

    /** A command or launcher: a string split at spaces, or a list of strings. */
    private List<String> words(Node c, String where, boolean nonEmpty) {
        List<String> out = new ArrayList<>();
        if (c == null) {
            return out;
        }
        if (c instanceof Node.Scalar s && s.value instanceof String str) {
            if (!str.isBlank()) {
                out.addAll(List.of(str.trim().split("\\s+")));
            }
        } else if (c instanceof Node.ListNode l) {
            for (Node item : l.items) {
                if (item instanceof Node.Scalar s && (s.value instanceof String || s.value instanceof Number)) {
                    out.add(String.valueOf(s.value));
                } else {
                    problem(item, where + " items must be strings, got " + item.kind());
                }
            }
        } else {
            problem(c, where + " must be a string or a list of strings, got " + c.kind());
            return out;
        }
        if (nonEmpty && out.isEmpty()) {
            problem(c, where + " must not be empty");
        }
        return out;
    }

    /** Templates or staged files: a path, a list of paths (kept under their file names), or a map of name to path. */
    private Map<String, Path> stagedFiles(Node n, String where) {
        Map<String, Path> out = new LinkedHashMap<>();
        if (n == null) {
            return out;
        }
        if (n instanceof Node.MapNode m) {
            for (Map.Entry<String, Node> e : m.entries.entrySet()) {
                String target = e.getKey();
                int[] place = m.keyPlaces.get(target);
                if (target.startsWith("/") || Path.of(target).normalize().startsWith("..")) {
                    problem(place[0], place[1], where + " name '" + target + "' must be relative to the run directory and stay inside it");
                    continue;
                }
                Path p = path(e.getValue(), where + " '" + target + "'", true);
                if (p != null) {
                    out.put(target, p);
                }
            }
            return out;
        }
        List<Node> items = n instanceof Node.ListNode l ? l.items : List.of(n);
        for (int i = 0; i < items.size(); i++) {
            Path p = path(items.get(i), where + (n instanceof Node.ListNode ? "[" + i + "]" : ""), true);
            if (p == null) {
                continue;
            }
            String target = p.getFileName().toString();
            if (out.containsKey(target)) {
                problem(items.get(i), where + " has two files named '" + target + "'; give them different names with a map "
                        + "(run-directory name: file)");
                continue;
            }
            out.put(target, p);
        }
        return out;
    }

    private LossSpec loss(Node n, String where, List<String> quantities) {
        if (n == null) {
            return new LossSpec("squared_error", Map.of());
        }
        if (n instanceof Node.Scalar) {
            String type = choice(n, where + " loss", LOSS_TYPES);
            return type == null ? null : new LossSpec(type, Map.of());
        }
        Node.MapNode m = map(n, where + " loss");
        if (m == null) {
            return null;
        }
        keys(m, where + " loss", LOSS_KEYS);
        String type = m.entries.containsKey("type") ? choice(m.entries.get("type"), where + " loss type", LOSS_TYPES) : "squared_error";
        Map<String, Double> scales = new LinkedHashMap<>();
        Node s = m.entries.get("scale");
        if (s instanceof Node.MapNode sm) {
            for (Map.Entry<String, Node> e : sm.entries.entrySet()) {
                int[] place = sm.keyPlaces.get(e.getKey());
                if (!quantities.isEmpty() && !quantities.contains(e.getKey())) {
                    String sug = suggest(e.getKey(), quantities);
                    problem(place[0], place[1], where + " loss scale names '" + e.getKey() + "', which has no reference value"
                            + (sug == null ? "" : " (did you mean '" + sug + "'?)") + "; quantities: " + String.join(", ", quantities));
                    continue;
                }
                Double d = positive(e.getValue(), where + " loss scale of '" + e.getKey() + "'");
                if (d != null) {
                    scales.put(e.getKey(), d);
                }
            }
        } else if (s != null) {
            Double d = positive(s, where + " loss scale");
            if (d != null) {
                for (String q : quantities) {
                    scales.put(q, d);
                }
            }
        }
        return type == null ? null : new LossSpec(type, scales);
    }

    private CombinationSpec combination(Node n) {
        CombinationSpec def = new CombinationSpec("sum", "raise", Double.NaN);
        if (n == null) {
            return def;
        }
        Node.MapNode m = map(n, "combination");
        if (m == null) {
            return def;
        }
        keys(m, "combination", COMBINATION_KEYS);
        String reducer = m.entries.containsKey("reducer") ? choice(m.entries.get("reducer"), "combination reducer", REDUCERS) : "sum";
        String action = m.entries.containsKey("on_failure")
                ? choice(m.entries.get("on_failure"), "combination on_failure", FAILURE_ACTIONS) : "raise";
        double penalty = Double.NaN;
        if ("penalty".equals(action)) {
            Node p = require(m, "penalty", "combination (on_failure: penalty)");
            Double d = p == null ? null : finite(p, "combination penalty");
            if (d != null) {
                penalty = d;
            }
        } else if (m.entries.containsKey("penalty")) {
            problem(m.keyPlaces.get("penalty")[0], m.keyPlaces.get("penalty")[1],
                    "combination penalty is used only with on_failure: penalty, but on_failure is " + action);
        }
        return new CombinationSpec(reducer == null ? "sum" : reducer, action == null ? "raise" : action, penalty);
    }

    private OptimizerSpec optimizer(Node n) {
        String method = "Nelder-Mead";
        int max = 200;
        long seed = 42;
        int batch = 0;
        double rel = Double.NaN;
        double abs = Double.NaN;
        double bad = 1e5;
        if (n != null) {
            Node.MapNode m = map(n, "optimizer");
            if (m != null) {
                keys(m, "optimizer", OPTIMIZER_KEYS);
                if (m.entries.containsKey("method")) {
                    Node mn = m.entries.get("method");
                    String s = string(mn, "optimizer method");
                    if (s != null) {
                        String known = Methods.canonical(s);
                        if (known == null) {
                            String sug = suggest(s, Methods.names());
                            problem(mn, "optimizer method '" + s + "' is not known" + (sug == null ? "" : " (did you mean '" + sug + "'?)")
                                    + "; methods: " + String.join(", ", Methods.names()));
                        } else {
                            method = known;
                        }
                    }
                }
                Integer i = optInt(m, "max_evaluations", "optimizer max_evaluations", 1, MAX_EVALUATIONS);
                max = i == null ? max : i;
                if (m.entries.containsKey("seed")) {
                    Double d = number(m.entries.get("seed"), "optimizer seed");
                    java.math.BigInteger v = wholeValue(((Node.Scalar) m.entries.get("seed")).value);
                    if (d != null && v == null) {
                        problem(m.entries.get("seed"), "optimizer seed must be a whole number, got " + fmt(d));
                    } else if (d != null && v.bitLength() >= 64) {
                        problem(m.entries.get("seed"), "optimizer seed must be a whole number from " + Long.MIN_VALUE + " to "
                                + Long.MAX_VALUE + ", got " + v);
                    } else if (d != null) {
                        seed = v.longValue();
                    }
                }
                Integer b = optInt(m, "batch_size", "optimizer batch_size", 1, MAX_BATCH);
                batch = b == null ? 0 : b;
                if (b != null && !Methods.isBatch(method)) {
                    problem(m.entries.get("batch_size"), "optimizer batch_size applies to population methods ("
                            + String.join(", ", Methods.batchNames()) + "), not to " + method);
                } else if (b != null && b < 2) {
                    problem(m.entries.get("batch_size"), "optimizer batch_size of " + method
                            + " (its population per generation) must be at least 2, got " + b);
                }
                Node t = m.entries.get("tolerance");
                if (t != null && !Methods.takesTolerances(method)) {
                    problem(t, "optimizer tolerance does not apply to " + method + ", which stops by its own criteria or the budget");
                } else if (t != null) {
                    Node.MapNode tm = map(t, "optimizer tolerance");
                    if (tm != null) {
                        keys(tm, "optimizer tolerance", TOLERANCE_KEYS);
                        if (tm.entries.containsKey("relative")) {
                            Double d = nonNegative(tm.entries.get("relative"), "optimizer tolerance relative");
                            rel = d == null ? rel : d;
                        }
                        if (tm.entries.containsKey("absolute")) {
                            Double d = nonNegative(tm.entries.get("absolute"), "optimizer tolerance absolute");
                            abs = d == null ? abs : d;
                        }
                    }
                }
                if (m.entries.containsKey("bad_value")) {
                    Double d = finite(m.entries.get("bad_value"), "optimizer bad_value");
                    bad = d == null ? bad : d;
                }
            }
        }
        return new OptimizerSpec(method, max, seed, batch, rel, abs, bad);
    }

    private OutputSpec output(Node n) {
        Path folder = this.folder.resolve("results");
        boolean plots = true;
        if (n != null) {
            Node.MapNode m = map(n, "output");
            if (m != null) {
                keys(m, "output", OUTPUT_KEYS);
                if (m.entries.containsKey("folder")) {
                    Path p = path(m.entries.get("folder"), "output folder", false);
                    String why = p == null ? null : Messages.notAFolder(p);
                    if (why != null) {
                        problem(m.entries.get("folder"), "output folder " + p + " cannot be created or written: " + why);
                    }
                    folder = p == null ? folder : p;
                }
                if (m.entries.containsKey("plots")) {
                    Boolean b = bool(m.entries.get("plots"), "output plots");
                    plots = b == null || b;
                }
            }
        }
        return new OutputSpec(folder, plots);
    }

    private ExecutionSpec execution(Node n) {
        int workers = 1;
        Duration timeout = null;
        int retries = 0;
        Path runDir = null; // the output folder's runs/, wherever the output goes
        String keep = "failed";
        if (n != null) {
            Node.MapNode m = map(n, "execution");
            if (m != null) {
                keys(m, "execution", EXECUTION_KEYS);
                Integer w = optInt(m, "workers", "execution workers", 1, MAX_WORKERS);
                workers = w == null ? workers : w;
                if (m.entries.containsKey("timeout")) {
                    timeout = duration(m.entries.get("timeout"), "execution timeout");
                }
                Integer r = optInt(m, "retries", "execution retries", 0, MAX_RETRIES);
                retries = r == null ? retries : r;
                if (m.entries.containsKey("run_directory")) {
                    Path p = path(m.entries.get("run_directory"), "execution run_directory", false);
                    String why = p == null ? null : Messages.notAFolder(p);
                    if (why != null) {
                        problem(m.entries.get("run_directory"), "execution run_directory " + p + " cannot be created or written: " + why);
                    }
                    runDir = p == null ? runDir : p;
                }
                if (m.entries.containsKey("keep")) {
                    String k = choice(m.entries.get("keep"), "execution keep", KEEP);
                    keep = k == null ? keep : k;
                }
            }
        }
        return new ExecutionSpec(workers, timeout, retries, runDir, keep);
    }

    // ---------------------------------------------------------------- typed values

    Node.MapNode map(Node n, String where) {
        if (n instanceof Node.MapNode m) {
            return m;
        }
        problem(n, where + " must be a map of keys to values, got " + n.kind());
        return null;
    }

    void keys(Node.MapNode m, String where, List<String> known) {
        for (Map.Entry<String, int[]> e : m.keyPlaces.entrySet()) {
            String key = e.getKey();
            if (!known.contains(key)) {
                String sug = suggest(key, known);
                problem(e.getValue()[0], e.getValue()[1], "unknown key '" + key + "' in " + where
                        + (sug == null ? "" : " (did you mean '" + sug + "'?)") + "; known keys: " + String.join(", ", known));
            }
        }
    }

    Node require(Node.MapNode m, String key, String where) {
        if (m == null) {
            return null;
        }
        Node n = m.entries.get(key);
        if (n == null) {
            problem(m, "missing required key '" + key + "' in " + where);
        }
        return n;
    }

    private String string(Node n, String where) {
        if (n == null) {
            return null;
        }
        if (n instanceof Node.Scalar s && s.value instanceof String str) {
            if (str.isBlank()) {
                problem(n, where + " must not be empty");
                return null;
            }
            return str;
        }
        problem(n, where + " must be a string, got " + n.kind());
        return null;
    }

    private String optString(Node.MapNode m, String key, String where, String def) {
        return m.entries.containsKey(key) ? string(m.entries.get(key), where) : def;
    }

    private String choice(Node n, String where, List<String> allowed) {
        String s = string(n, where);
        if (s == null) {
            return null;
        }
        String norm = s.toLowerCase(Locale.ROOT).replace('-', '_');
        if (allowed.contains(norm)) {
            return norm;
        }
        String sug = suggest(norm, allowed);
        problem(n, where + " must be one of " + String.join(", ", allowed) + ", got '" + s + "'"
                + (sug == null ? "" : " (did you mean '" + sug + "'?)"));
        return null;
    }

    private Double number(Node n, String where) {
        if (n instanceof Node.Scalar s && s.value instanceof Number num) {
            return num.doubleValue();
        }
        problem(n, where + " must be a number, got " + n.kind());
        return null;
    }

    Double finite(Node n, String where) {
        Double d = number(n, where);
        if (d != null && !Double.isFinite(d)) {
            problem(n, where + " must be a finite number, got " + fmt(d) + FINITE_HINT);
            return null;
        }
        if (d != null && Math.abs(d) > MAX_MAGNITUDE) {
            problem(n, where + " must be at most 1e100 in magnitude, got " + d);
            return null;
        }
        return d;
    }

    Double positive(Node n, String where) {
        Double d = finite(n, where);
        if (d != null && !(d > 0)) {
            problem(n, where + " must be positive, got " + fmt(d));
            return null;
        }
        return d;
    }

    private Double nonNegative(Node n, String where) {
        Double d = finite(n, where);
        if (d != null && d < 0) {
            problem(n, where + " must not be negative, got " + fmt(d));
            return null;
        }
        return d;
    }

    Integer optInt(Node.MapNode m, String key, String where, int min, int max) {
        Node n = m.entries.get(key);
        if (n == null) {
            return null;
        }
        String range = "; allowed: " + min + " to " + max;
        java.math.BigInteger v = n instanceof Node.Scalar s ? wholeValue(s.value) : null;
        if (v == null && n instanceof Node.Scalar s && s.value instanceof Double d && d == Double.POSITIVE_INFINITY) {
            problem(n, where + " must be at most " + max + ", got a number too large to hold");
            return null;
        }
        if (v == null) {
            problem(n, where + " must be a whole number, got " + shown(n) + range);
            return null;
        }
        if (v.compareTo(java.math.BigInteger.valueOf(min)) < 0) {
            problem(n, where + " must be a whole number of at least " + min + ", got " + v + range);
            return null;
        }
        if (v.compareTo(java.math.BigInteger.valueOf(max)) > 0) {
            problem(n, where + " must be at most " + max + ", got " + v);
            return null;
        }
        return v.intValue();
    }

    /** @return a whole number written as one (7) or as a float with nothing after the point (7.0, 1e3), else null */
    static java.math.BigInteger wholeValue(Object value) {
        if (value instanceof Integer || value instanceof Long) {
            return java.math.BigInteger.valueOf(((Number) value).longValue());
        }
        if (value instanceof java.math.BigInteger b) {
            return b;
        }
        if (value instanceof Double d && Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 1e18) {
            return java.math.BigInteger.valueOf(d.longValue());
        }
        return null;
    }

    /** @return how a value is named in a message; YAML's own words for the values that are not finite */
    private static String shown(Node n) {
        if (n instanceof Node.Scalar s && s.value instanceof Double d && !Double.isFinite(d)) {
            return "a number (" + fmt(d) + ")";
        }
        return n.kind();
    }

    private Boolean bool(Node n, String where) {
        if (n instanceof Node.Scalar s && s.value instanceof Boolean b) {
            return b;
        }
        problem(n, where + " must be true or false, got " + n.kind());
        return null;
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|min|h)");

    private Duration duration(Node n, String where) {
        if (n instanceof Node.Scalar s && s.value instanceof Number num) {
            double sec = num.doubleValue();
            if (!(sec > 0) || !Double.isFinite(sec)) {
                problem(n, where + " must be a positive number of seconds, got " + (Double.isFinite(sec) ? num : fmt(sec)));
                return null;
            }
            if (sec > MAX_SECONDS) {
                problem(n, where + " must be at most " + fmt(MAX_SECONDS) + " seconds (365 days), got " + num);
                return null;
            }
            return Duration.ofNanos((long) (sec * 1e9));
        }
        if (n instanceof Node.Scalar s && s.value instanceof String str) {
            Matcher mt = DURATION.matcher(str.trim());
            if (mt.matches()) {
                double v = Double.parseDouble(mt.group(1));
                double sec = switch (mt.group(2)) {
                    case "ms" -> v / 1000;
                    case "s" -> v;
                    case "m", "min" -> v * 60;
                    default -> v * 3600;
                };
                if (sec > MAX_SECONDS) {
                    problem(n, where + " must be at most 365 days (8760h), got '" + str.trim() + "'");
                    return null;
                }
                if (sec > 0) {
                    return Duration.ofNanos((long) (sec * 1e9));
                }
            }
        }
        problem(n, where + " must be a positive duration: seconds (30) or a number with a unit (500ms, 30s, 5m, 2h), got "
                + n.kind());
        return null;
    }

    Path path(Node n, String where, boolean mustExist) {
        String s = string(n, where);
        if (s == null) {
            return null;
        }
        Path p = folder.resolve(s).normalize();
        if (mustExist) {
            if (!Files.isRegularFile(p)) {
                problem(n, where + " names a file that does not exist: " + p);
                return null;
            }
            namedFiles.add(p);
        }
        return p;
    }

    /**
     * @param name a misspelt name
     * @param known the names there are
     * @return the closest known name by edit distance, else one that shares a long prefix with
     *     it ("max_evals" for "max_evaluations"), else null
     */
    static String suggest(String name, java.util.Collection<String> known) {
        String s = Names.closest(name, known);
        if (s != null) {
            return s;
        }
        String n = name.toLowerCase(Locale.ROOT);
        String best = null;
        int bestPrefix = 0;
        for (String k : known) {
            String kl = k.toLowerCase(Locale.ROOT);
            int p = 0;
            while (p < n.length() && p < kl.length() && n.charAt(p) == kl.charAt(p)) {
                p++;
            }
            if (p >= 4 && p * 2 >= n.length() && p > bestPrefix) {
                best = k;
                bestPrefix = p;
            }
        }
        return best;
    }

    // ---------------------------------------------------------------- validation, units, coordinates

    /** What the job declares besides the terms: units and coordinate columns, and the term names used so far. */
    static final class UnitsReading {
        final Map<String, String> parameters = new LinkedHashMap<>();
        final Map<String, Map<String, String>> quantities = new LinkedHashMap<>();
        final Map<String, JobFile.Coordinate> coordinates = new LinkedHashMap<>();
        /** Names of fit and validation terms: one name, one term, across both sections. */
        final Map<String, Node> termNames = new LinkedHashMap<>();

        JobFile.Units units() {
            return new JobFile.Units(parameters, quantities, coordinates);
        }
    }

    /** The validation section: terms like those of {@code terms}, never part of the objective. */
    private List<TermSpec> validation(Node n) {
        if (n instanceof Node.Scalar s && s.value == null) {
            problem(n, "validation must be a list of terms (each starting with '- '), got nothing");
            return List.of();
        }
        return terms(n, "validation");
    }

    /** {@code validation_every}: a whole number of at least 1, only with a validation section. */
    private int validationEvery(Node.MapNode top) {
        Integer every = optInt(top, "validation_every", "validation_every", 1, MAX_EVALUATIONS);
        if (every != null && !top.entries.containsKey("validation")) {
            problem(top.entries.get("validation_every"), "validation_every needs a validation section (the terms to evaluate "
                    + "every " + every + " evaluations)");
        }
        return every == null ? 0 : every;
    }

    /** A unit: a short text such as eV, K, eV/A or kcal/mol. */
    private String unit(Node n, String where) {
        if (!(n instanceof Node.Scalar s) || !(s.value instanceof String str)) {
            problem(n, where + " must be a text such as eV, K or eV/A, got " + (n instanceof Node.Scalar sc && sc.value != null
                    ? "the number " + sc.value : n.kind()));
            return null;
        }
        String u = str.strip();
        if (u.isEmpty() || u.length() > 16 || u.chars().anyMatch(c -> Character.isISOControl(c))) {
            problem(n, where + " must be 1 to 16 printable characters (such as eV, K or eV/A), got '" + str + "'");
            return null;
        }
        return u;
    }

    /** A term's {@code unit} (one for all its quantities, or a map by quantity) and an atoms term's {@code coordinate}. */
    private void termExtras(Node.MapNode t, String where, String name, List<String> quantities, TermConfig config) {
        Node un = t.entries.get("unit");
        if (un != null && name != null) {
            Map<String, String> units = new LinkedHashMap<>();
            if (un instanceof Node.MapNode um) {
                for (Map.Entry<String, Node> e : um.entries.entrySet()) {
                    if (config != null && !quantities.contains(e.getKey())) {
                        int[] place = um.keyPlaces.get(e.getKey());
                        String sug = suggest(e.getKey(), quantities);
                        problem(place[0], place[1], where + " unit names '" + e.getKey() + "', which is not a quantity of the term"
                                + (sug == null ? "" : " (did you mean '" + sug + "'?)") + "; its quantities: " + String.join(", ", quantities));
                        continue;
                    }
                    String u = unit(e.getValue(), where + " unit of '" + e.getKey() + "'");
                    if (u != null) {
                        units.put(e.getKey(), u);
                    }
                }
            } else {
                String u = unit(un, where + " unit");
                if (u != null) {
                    quantities.forEach(q -> units.put(q, u));
                }
            }
            extras.quantities.put(name, units);
        }
        Node cn = t.entries.get("coordinate");
        if (cn == null || name == null) {
            return;
        }
        String column = null;
        String cunit = "";
        if (cn instanceof Node.MapNode cm) {
            keys(cm, where + " coordinate", List.of("column", "unit"));
            column = string(require(cm, "column", where + " coordinate"), where + " coordinate column");
            if (cm.entries.containsKey("unit")) {
                String u = unit(cm.entries.get("unit"), where + " coordinate unit");
                cunit = u == null ? "" : u;
            }
        } else if (cn instanceof Node.Scalar s && s.value instanceof String) {
            column = string(cn, where + " coordinate");
        } else {
            problem(cn, where + " coordinate must name a column of the reference CSV (such as r) or be a map {column: r, unit: A}, got "
                    + cn.kind());
            return;
        }
        if (column == null) {
            return;
        }
        if (config instanceof AtomsConfig a && a.reference() != null) {
            try {
                org.chemfit.atoms.ReferenceCsv.column(a.reference(), column);
            } catch (org.chemfit.ChemFitException e) {
                problem(cn, where + " coordinate: " + e.getMessage());
                return;
            }
        }
        extras.coordinates.put(name, new JobFile.Coordinate(column, cunit));
    }

    // ---------------------------------------------------------------- problems and hash

    void problem(Node n, String message) {
        problem(n.line, n.column, message);
    }

    void problem(int line, int column, String message) {
        // a message repeats names from the file, which a hostile file may make a megabyte long
        String m = message.length() > 2000 ? message.substring(0, 2000) + "... (" + message.length() + " characters)" : message;
        problems.add(new JobFileException.Problem(shown, line, column, m));
    }

    static String fmt(double d) {
        if (d == Double.POSITIVE_INFINITY) {
            return ".inf";
        }
        if (d == Double.NEGATIVE_INFINITY) {
            return "-.inf";
        }
        if (Double.isNaN(d)) {
            return ".nan";
        }
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    // ---------------------------------------------------------------- standard input, program aliases, xvg

    /**
     * A command: its words (a string or a list), or a map {@code {run: words, stdin: text}} or
     * {@code {run: words, stdin_template: file}} for a command that reads standard input.
     */
    private List<String> commandWithStdin(Node c, String where, int index, Map<Integer, ExternalConfig.StdinSpec> stdin) {
        if (!(c instanceof Node.MapNode m)) {
            return words(c, where, true);
        }
        keys(m, where, COMMAND_KEYS);
        List<String> run = words(require(m, "run", where), where + " run", true);
        boolean text = m.entries.containsKey("stdin");
        boolean template = m.entries.containsKey("stdin_template");
        if (text && template) {
            int[] place = m.keyPlaces.get("stdin_template");
            problem(place[0], place[1], where + " has both 'stdin' (a text) and 'stdin_template' (a template file); give one");
        } else if (text) {
            Node sn = m.entries.get("stdin");
            if (sn instanceof Node.Scalar sc && sc.value instanceof String str) {
                stdin.put(index, new ExternalConfig.StdinSpec(str, null));
            } else {
                problem(sn, where + " stdin must be a text (quote it, with \\n between lines: \"Potential\\nDensity\\n\\n\"), got "
                        + sn.kind());
            }
        } else if (template) {
            Path p = path(m.entries.get("stdin_template"), where + " stdin_template", true);
            if (p != null) {
                stdin.put(index, new ExternalConfig.StdinSpec(null, p));
            }
        } else {
            problem(m, where + " is written as a map, which is for a command with standard input: add 'stdin' or 'stdin_template', "
                    + "or write the command as a list");
        }
        return run;
    }

    /** {@code programs}: a map of alias to a program name or path, or to a list of them tried in order. */
    private Map<String, List<String>> programs(Node n) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (n == null) {
            return out;
        }
        Node.MapNode m = map(n, "programs");
        if (m == null) {
            return out;
        }
        for (Map.Entry<String, Node> e : m.entries.entrySet()) {
            int[] place = m.keyPlaces.get(e.getKey());
            if (e.getKey().isBlank() || e.getKey().contains("/") || e.getKey().chars().anyMatch(Character::isWhitespace)) {
                problem(place[0], place[1], "programs name '" + e.getKey() + "' must be one word without '/', as commands use it");
                continue;
            }
            List<Node> items = e.getValue() instanceof Node.ListNode l ? l.items : List.of(e.getValue());
            List<String> names = new ArrayList<>();
            for (Node item : items) {
                String s = string(item, "programs " + e.getKey());
                if (s != null && !s.isBlank()) {
                    names.add(s.contains("/") ? folder.resolve(s).normalize().toString() : s);
                } else if (s != null) {
                    problem(item, "programs " + e.getKey() + " names must not be blank");
                }
            }
            if (items.isEmpty()) {
                problem(e.getValue(), "programs " + e.getKey() + " must name at least one program, e.g. [gmx, gmx_mpi, gmx_d]");
            } else if (names.size() == items.size()) {
                out.put(e.getKey(), names);
            }
        }
        return out;
    }

    /** The options of an {@code xvg} output: column (a legend or an index), from and to (a window of x). */
    private boolean xvgOptions(Node.MapNode pm, String w, Map<String, Object> options) {
        boolean ok = true;
        Node c = require(pm, "column", w + " (xvg)");
        if (c instanceof Node.Scalar sc && sc.value instanceof String legend && !legend.isBlank()) {
            options.put("column", legend);
        } else if (c != null) {
            Integer ci = optInt(pm, "column", w + " column (a legend such as Density, or an index from 0, 0 being x)", 0, MAX_INDEX);
            ok = ci != null;
            options.put("column", ci);
        } else {
            ok = false;
        }
        Double from = pm.entries.containsKey("from") ? finite(pm.entries.get("from"), w + " from") : null;
        Double to = pm.entries.containsKey("to") ? finite(pm.entries.get("to"), w + " to") : null;
        ok &= (from != null || !pm.entries.containsKey("from")) && (to != null || !pm.entries.containsKey("to"));
        if (from != null && to != null && from > to) {
            problem(pm.entries.get("to"), w + " to (" + fmt(to) + ") must not be less than from (" + fmt(from) + ")");
            ok = false;
        }
        if (from != null) {
            options.put("from", from);
        }
        if (to != null) {
            options.put("to", to);
        }
        return ok;
    }

    private String hash() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            List<Path> all = new ArrayList<>();
            all.add(file);
            all.addAll(namedFiles);
            byte[] buf = new byte[1 << 16];
            for (Path p : all) {
                md.update(folder.relativize(p.toAbsolutePath().normalize()).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update((byte) 0);
                try (InputStream in = Files.newInputStream(p)) {
                    for (int k = in.read(buf); k >= 0; k = in.read(buf)) {
                        md.update(buf, 0, k);
                    }
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException | IOException e) {
            problem(0, 0, "cannot read a file the job names: " + e.getMessage());
            return "";
        }
    }
}
