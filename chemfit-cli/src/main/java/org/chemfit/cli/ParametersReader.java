package org.chemfit.cli;

import static org.chemfit.cli.JobKeys.PARAMETER_KEYS;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.chemfit.cli.JobFile.ParameterSpec;
import org.chemfit.support.Names;
import org.jspecify.annotations.NullUnmarked;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code parameters} section (nested groups, numbers or maps with initial, bounds,
 * fixed and unit) and the top-level {@code bounds} section into {@link JobFile.ParameterSpec}s.
 *
 * <pre>{@code
 * ParametersReader p = new ParametersReader(reading);
 * List<ParameterSpec> params = p.parameters(top.entries.get("parameters"));
 * }</pre>
 *
 * @implNote One instance per job file, used while it is read; not thread-safe.
 */
// Not yet checked by NullAway (docs/architecture.md, "Build gates", says why).
@NullUnmarked
final class ParametersReader {

    private final JobReading r;
    /**
     * Parameters given bounds so far, each with where ("'parameters' (line 5)", "'bounds' (line 8,
     * 'sigma' under 'lj')"), to refuse a second set and name both places.
     */
    private final Map<String, String> boundedAt = new LinkedHashMap<>();

    /**
     * The line and column where each parameter was first given, to find one given twice under two
     * spellings and to name it when its column of evaluations.csv is a term's.
     */
    private final Map<String, int[]> firstPlace = new LinkedHashMap<>();

    /** The parameters given {@code fixed: true}, whether or not their other settings could be read. */
    private final Set<String> fixedNames = new LinkedHashSet<>();

    ParametersReader(JobReading reading) {
        this.r = reading;
    }

    List<ParameterSpec> parameters(Node n) {
        List<ParameterSpec> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        Node.MapNode m = r.map(n, "parameters");
        if (m == null) {
            return out;
        }
        if (m.entries.isEmpty()) {
            r.problem(m, "parameters must name at least one parameter");
        }
        parameterGroup("", m, out);
        return out;
    }

    /** How Python writes an open side of a bound ({@code None}, {@code np.inf}), which YAML reads as texts. */
    private static final List<String> OPEN_WORDS = List.of(
            "none", "inf", "-inf", "+inf", "np.inf", "-np.inf", "math.inf", "-math.inf", "infinity", "-infinity");

    /** Words of other tools (lmfit, SciPy, ChemFit's Python scripts) for a parameter's initial value. */
    private static final List<String> INITIAL_WORDS =
            List.of("value", "init", "init_value", "initial_value", "start", "guess", "x0");
    /** Their words for its lower bound. */
    private static final List<String> LOWER_WORDS = List.of("min", "lower", "lb", "lower_bound");
    /** Their words for its upper bound. */
    private static final List<String> UPPER_WORDS = List.of("max", "upper", "ub", "upper_bound");
    /** Their other words of a parameter: whether it varies, and lmfit's constraint and grid step. */
    private static final List<String> OTHER_WORDS = List.of("vary", "expr", "brute_step", "scale");

    /**
     * A map of scalars whose keys are all another tool's words of one parameter ({@code {value: 1.0,
     * min: 0.1, max: 10}}, as lmfit writes one), with a word of its initial value among them: read
     * as it is, it would be a group of parameters named {@code value}, {@code min} and {@code max},
     * each free, and a template printing the parameter would print the group.
     *
     * @param key the parameter's key
     * @param m its map
     * @return how it is written and what to write instead, or null when it is not written so
     */
    private static @Nullable Foreign foreignSpec(String key, Node.MapNode m) {
        if (m.entries.size() < 2) {
            return null; // {value: 1.0} alone may well be a group of one parameter named so
        }
        Map<String, Object> given = new LinkedHashMap<>();
        Map<String, String> written = new LinkedHashMap<>();
        for (Map.Entry<String, Node> e : m.entries.entrySet()) {
            String word = e.getKey().toLowerCase(Locale.ROOT);
            boolean known = INITIAL_WORDS.contains(word)
                    || LOWER_WORDS.contains(word)
                    || UPPER_WORDS.contains(word)
                    || OTHER_WORDS.contains(word);
            if (!known || !(e.getValue() instanceof Node.Scalar sc)) {
                return null;
            }
            given.put(word, sc.value);
            written.put(word, sc.text != null ? sc.text : String.valueOf(sc.value));
        }
        Object initial = first(given, INITIAL_WORDS);
        if (!(initial instanceof Number start)) {
            return null;
        }
        Object lower = first(given, LOWER_WORDS);
        Object upper = first(given, UPPER_WORDS);
        String bounds = lower == null && upper == null
                ? ""
                : ", bounds: [" + (lower instanceof Number ? first(written, LOWER_WORDS) : "null") + ", "
                        + (upper instanceof Number ? first(written, UPPER_WORDS) : "null") + "]";
        boolean fixed = Boolean.FALSE.equals(given.get("vary"));
        String said = "with the keys of another tool (" + String.join(", ", m.entries.keySet()) + "), which a job"
                + " file would read as a group of " + m.entries.size() + " parameters: write " + key + ": {initial: "
                + first(written, INITIAL_WORDS) + bounds + (fixed ? ", fixed: true" : "") + "}"
                + (given.containsKey("expr") ? " (a job file has no expressions tying parameters together)" : "");
        return new Foreign(
                said,
                start.doubleValue(),
                lower instanceof Number n ? n.doubleValue() : Double.NEGATIVE_INFINITY,
                upper instanceof Number n ? n.doubleValue() : Double.POSITIVE_INFINITY,
                fixed);
    }

    /**
     * @param name a name
     * @return it with each whitespace or space character but the plain space written as {@code
     *     <U+0009>}, so that a tab, an em space or a no-break space is seen in the message
     */
    static String shown(String name) {
        StringBuilder sb = new StringBuilder();
        name.codePoints()
                .forEach(c -> sb.append(
                        (Character.isWhitespace(c) || Character.isSpaceChar(c)) && c != ' '
                                ? String.format(Locale.ROOT, "<U+%04X>", c)
                                : new String(Character.toChars(c))));
        return sb.toString();
    }

    /** A parameter written with another tool's keys: what was said of it, and the parameter it means. */
    private record Foreign(String said, double initial, double lower, double upper, boolean fixed) {}

    /** @return the value of the first of these words that the map gives, or null */
    private static <V> @Nullable V first(Map<String, V> given, List<String> words) {
        for (String w : words) {
            if (given.containsKey(w)) {
                return given.get(w);
            }
        }
        return null;
    }

    private void parameterGroup(String prefix, Node.MapNode group, List<ParameterSpec> out) {
        for (Map.Entry<String, Node> e : group.entries.entrySet()) {
            String key = e.getKey();
            int[] place = group.keyPlaces.get(key);
            String name = prefix.isEmpty() ? key : prefix + "." + key;
            // whitespace as the library's Parameters takes it (a tab, an em space: a name it refuses)
            if (key.isEmpty()
                    || key.chars().anyMatch(Character::isWhitespace)
                    || key.startsWith(".")
                    || key.endsWith(".")
                    || key.contains("..")) {
                r.problem(
                        place[0],
                        place[1],
                        "parameter name '" + shown(name)
                                + "' must be non-empty, without spaces or empty parts between dots");
                continue;
            }
            Node v = e.getValue();
            if (!(v instanceof Node.MapNode vm)
                    || vm.entries.containsKey("initial")
                    || vm.entries.containsKey("bounds")
                    || vm.entries.containsKey("fixed")) {
                if (EvaluationLog.FIXED_COLUMNS.contains(name)) {
                    r.problem(
                            place[0],
                            place[1],
                            "parameter name '" + name + "' is taken: " + EvaluationLog.FILE + " has a column of that"
                                    + " name before the parameters' (" + String.join(", ", EvaluationLog.FIXED_COLUMNS)
                                    + "); give the parameter another name or put it in a group ('p." + name + "')");
                }
                r.declared.add(name);
                // a dotted key and a group can name the same parameter: {a: {b: 1}, "a.b": 2}
                int[] first = firstPlace.putIfAbsent(name, place);
                if (first != null) {
                    r.problem(
                            place[0],
                            place[1],
                            "parameter '" + name + "' is given twice (first at line " + first[0] + ")");
                    continue;
                }
            }
            if (v instanceof Node.Scalar s && s.value instanceof Number) {
                if (!prefix.isEmpty() && isNearSpecKey(key)) {
                    r.problem(
                            place[0],
                            place[1],
                            "unknown key '" + key + "' in parameter '" + prefix + "' (did you mean '"
                                    + Names.closest(key, PARAMETER_KEYS) + "'?); a parameter's keys are: "
                                    + String.join(", ", PARAMETER_KEYS));
                    continue;
                }
                // the short form holds its initial value to the long form's rules: finite, at most 1e100
                Double d = r.finite(v, "parameter '" + name + "' initial value");
                if (d == null) {
                    continue;
                }
                out.add(new ParameterSpec(name, d, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, false));
            } else if (v instanceof Node.MapNode sub) {
                boolean isSpec = sub.entries.containsKey("initial")
                        || sub.entries.containsKey("bounds")
                        || sub.entries.containsKey("fixed");
                Foreign foreign = isSpec ? null : foreignSpec(key, sub);
                if (isSpec) {
                    parameterSpec(name, sub, out);
                } else if (foreign != null) {
                    r.problem(v, "parameter '" + name + "' is written " + foreign.said());
                    // kept as meant, so that the terms naming it are not told of an unknown parameter too
                    r.declared.add(name);
                    out.add(new ParameterSpec(
                            name, foreign.initial(), foreign.lower(), foreign.upper(), foreign.fixed()));
                } else if (sub.entries.isEmpty()) {
                    r.problem(v, "parameter group '" + name + "' is empty");
                } else {
                    parameterGroup(name, sub, out);
                }
            } else {
                r.problem(
                        v,
                        "parameter '" + name + "' must be a number (its initial value), a map with 'initial' (and "
                                + "optionally 'bounds', 'fixed') or a group of parameters, got " + v.kind());
            }
        }
    }

    /**
     * Refuses each parameter whose column of evaluations.csv would have the name of a fit term's
     * column ({@code term:NAME}, after the parameters'): the file would name one column twice, which
     * {@code chemfit report} refuses, and the fit would learn it only after running. The columns
     * before the parameters' are refused as each parameter is read.
     *
     * @param terms the fit terms, under the names they were given or take
     */
    void refuseTermColumns(List<JobFile.TermSpec> terms) {
        java.util.Set<String> termColumns = new java.util.HashSet<>();
        for (JobFile.TermSpec t : terms) {
            String column = EvaluationLog.TERM_COLUMN + t.name();
            termColumns.add(column);
            int[] place = firstPlace.get(column);
            if (place != null) {
                r.problem(
                        place[0],
                        place[1],
                        "parameter name '" + column + "' is taken: " + EvaluationLog.FILE + " has a column of that"
                                + " name after the parameters', the values of the term '" + t.name() + "'; give the"
                                + " parameter another name or put it in a group ('p." + column + "')");
            }
        }
        // any other such name too: chemfit report reads the columns from the first 'term:' on as
        // the terms', so a parameter of that name would be left out of what it shows
        firstPlace.forEach((name, place) -> {
            if (name.startsWith(EvaluationLog.TERM_COLUMN) && !termColumns.contains(name)) {
                r.problem(
                        place[0],
                        place[1],
                        "parameter name '" + name + "' is taken: " + EvaluationLog.FILE + " names the columns of the"
                                + " terms' values '" + EvaluationLog.TERM_COLUMN + "<term>', after the parameters';"
                                + " give the parameter another name or put it in a group ('p." + name + "')");
            }
        });
    }

    /**
     * The top-level {@code bounds} section: bounds nested like the parameters (or by dotted names),
     * as ChemFit's bounds dict, applied to the parameters read before.
     */
    List<ParameterSpec> bounds(Node n, List<ParameterSpec> params) {
        Node.MapNode m = r.map(n, "bounds");
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
            r.problem(
                    group,
                    prefix.isEmpty()
                            ? "bounds must bound at least one parameter"
                            : "bounds group '" + prefix + "' is empty");
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
                r.problem(
                        v,
                        where
                                + " must be a list of two numbers [lower, upper] (null for an open side) or a group of bounds, got "
                                + (v instanceof Node.ListNode l2 ? "a list of " + l2.items.size() : v.kind()));
                continue;
            }
            ParameterSpec p = byName.get(name);
            if (p == null) {
                String sug = Names.suggest(name, byName.keySet());
                r.problem(
                        place[0],
                        place[1],
                        where + ": no such parameter" + (sug == null ? "" : " (did you mean '" + sug + "'?)")
                                + "; known parameters: " + String.join(", ", byName.keySet()));
                continue;
            }
            String here = "'bounds' (line " + place[0] + ", '" + e.getKey() + "'"
                    + (prefix.isEmpty() ? "" : " under '" + prefix + "'") + ")";
            if (boundedAt.containsKey(name)) {
                r.problem(
                        place[0],
                        place[1],
                        "parameter '" + name + "' is bounded twice: in " + boundedAt.get(name) + " and in " + here
                                + "; keep one");
                continue;
            }
            Double lo = bound(l.items.get(0), where + " lower bound", Double.NEGATIVE_INFINITY);
            Double hi = bound(l.items.get(1), where + " upper bound", Double.POSITIVE_INFINITY);
            if (lo == null || hi == null) {
                continue;
            }
            if (lo > hi) {
                r.problem(
                        v,
                        where + ": the lower bound must not exceed the upper bound, got [" + JobReading.fmt(lo) + ", "
                                + JobReading.fmt(hi) + "]");
            } else if (p.initial() < lo || p.initial() > hi) {
                r.problem(
                        v,
                        "parameter '" + name + "' initial value must lie within its bounds [" + JobReading.fmt(lo)
                                + ", " + JobReading.fmt(hi) + "], got " + JobReading.fmt(p.initial()));
            } else {
                boundedAt.put(name, here);
                byName.put(name, new ParameterSpec(name, p.initial(), lo, hi, p.fixed()));
            }
        }
    }

    /**
     * @param declared the names of every parameter the job declares
     * @return whether there is at least one and each is given {@code fixed: true}, even when its
     *     other settings (initial value, bounds) could not be read
     */
    boolean allFixed(Set<String> declared) {
        return !declared.isEmpty() && fixedNames.containsAll(declared);
    }

    /**
     * @param name a declared parameter
     * @return whether it is {@code fixed: true}, whether its other settings could be read or not
     */
    boolean isFixed(String name) {
        return fixedNames.contains(name);
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
        r.keys(m, where, PARAMETER_KEYS);
        Node init = r.require(m, "initial", where);
        Double initial = init == null ? null : r.finite(init, where + " initial value");
        double lo = Double.NEGATIVE_INFINITY;
        double hi = Double.POSITIVE_INFINITY;
        boolean ok = initial != null;
        Node b = m.entries.get("bounds");
        if (b != null) {
            boundedAt.put(name, "'parameters' (line " + b.line + ")");
            if (!(b instanceof Node.ListNode l) || l.items.size() != 2) {
                r.problem(
                        b,
                        where + " bounds must be a list of two numbers [lower, upper] (null for an open side), got "
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
                        r.problem(
                                b,
                                where + " lower bound must not exceed its upper bound, got [" + JobReading.fmt(lo)
                                        + ", " + JobReading.fmt(hi) + "]");
                        ok = false;
                    } else if (initial != null && (initial < lo || initial > hi)) {
                        r.problem(
                                init,
                                where + " initial value must lie within its bounds [" + JobReading.fmt(lo) + ", "
                                        + JobReading.fmt(hi) + "], got " + JobReading.fmt(initial));
                        ok = false;
                    }
                }
            }
        }
        boolean fixed =
                m.entries.containsKey("fixed") && Boolean.TRUE.equals(r.bool(m.entries.get("fixed"), where + " fixed"));
        if (fixed) {
            fixedNames.add(name);
        }
        if (m.entries.containsKey("unit")) {
            String u = r.unit(m.entries.get("unit"), where + " unit");
            if (u != null) {
                r.extras.parameters.put(name, u);
                r.extras.parameterUnitNodes.put(name, m.entries.get("unit"));
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
        if (n instanceof Node.Scalar s
                && s.value instanceof String t
                && OPEN_WORDS.contains(t.strip().toLowerCase(Locale.ROOT))) {
            // Python's None and inf, as a bounds tuple of SciPy's writes them
            r.problem(
                    n,
                    where + " must be a number, got a string ('" + t + "'); write null (or "
                            + (open < 0 ? "-.inf" : ".inf") + ") for an open side");
            return null;
        }
        Double d = r.number(n, where);
        if (d != null && Double.isNaN(d)) {
            r.problem(
                    n,
                    where + " must be a number, got .nan; write a number, or null (or " + (open < 0 ? "-.inf" : ".inf")
                            + ") for an open side");
            return null;
        }
        if (d != null && (Double.isFinite(d) && Math.abs(d) > JobKeys.MAX_MAGNITUDE || JobReading.tooLarge(n))) {
            r.problem(
                    n,
                    where + " must be at most 1e100 in magnitude, got " + JobReading.written(n) + "; write null (or "
                            + (open < 0 ? "-.inf" : ".inf") + ") for an open side");
            return null;
        }
        return d;
    }
}
