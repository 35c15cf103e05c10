package org.chemfit.cli;

import static org.chemfit.cli.JobKeys.ATOMS_KEYS;
import static org.chemfit.cli.JobKeys.COORDINATE_KEYS;
import static org.chemfit.cli.JobKeys.CRYSTAL_KEYS;
import static org.chemfit.cli.JobKeys.EXTERNAL_KEYS;
import static org.chemfit.cli.JobKeys.KINDS;
import static org.chemfit.cli.JobKeys.LOSS_KEYS;
import static org.chemfit.cli.JobKeys.LOSS_TYPES;
import static org.chemfit.cli.JobKeys.TERM_KEYS;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.chemfit.cli.JobFile.AtomsConfig;
import org.chemfit.cli.JobFile.ExternalConfig;
import org.chemfit.cli.JobFile.LossSpec;
import org.chemfit.cli.JobFile.LossType;
import org.chemfit.cli.JobFile.ParameterSpec;
import org.chemfit.cli.JobFile.TermConfig;
import org.chemfit.cli.JobFile.TermKind;
import org.chemfit.cli.JobFile.TermSpec;
import org.jspecify.annotations.NullUnmarked;
import org.jspecify.annotations.Nullable;

/**
 * Reads a list of terms ({@code terms} or {@code validation}): each term's name, kind, weight, loss
 * and units, with its kind's own settings read by the reader of that kind.
 *
 * <pre>{@code
 * List<TermSpec> terms = new TermsReader(reading).terms(top.entries.get("terms"), parameters, "terms");
 * }</pre>
 *
 * @implNote One instance per job file, used while it is read; not thread-safe.
 */
// Not yet checked by NullAway (docs/architecture.md, "Build gates", says why).
@NullUnmarked
final class TermsReader {

    private final JobReading r;
    /** The weights of 0 among the terms of {@code terms}, and how many of those terms were read. */
    private List<Node> fitZeroWeights = List.of();

    private int fitTermsRead;

    /** A structure that a fit term of non-zero weight lists: the term, its reference CSV and the row. */
    private record Listed(
            String term, java.nio.file.Path csv, org.chemfit.atoms.ReferenceEntry row, AtomsConfig config) {}

    /** The structures of the fit's atoms terms of non-zero weight read so far, by their files' real places. */
    private final Map<java.nio.file.Path, List<Listed>> fitStructures = new LinkedHashMap<>();

    private final AtomsTermReader atoms;
    private final ExternalTermReader external;
    private final CrystalTermReader crystal;

    TermsReader(JobReading reading) {
        this.r = reading;
        PotentialReader potential = new PotentialReader(reading);
        this.atoms = new AtomsTermReader(reading, potential);
        this.external = new ExternalTermReader(reading, new ParserReader(reading));
        this.crystal = new CrystalTermReader(reading, potential);
    }

    List<TermSpec> terms(Node n, List<ParameterSpec> params) {
        return terms(n, params, "terms");
    }

    List<TermSpec> terms(Node n, List<ParameterSpec> params, String section) {
        List<TermSpec> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        if (!(n instanceof Node.ListNode l)) {
            r.problem(n, section + " must be a list of terms (each starting with '- '), got " + n.kind());
            return out;
        }
        if (l.items.isEmpty()) {
            r.problem(n, section + " must hold at least one term");
        }
        Set<String> paramNames = r.declared;
        Map<String, Node> seen = r.extras.termNames;
        Set<String> defaultNames = r.extras.defaultTermNames;
        List<Node> zeroWeights = new ArrayList<>();
        int read = 0;
        for (int i = 0; i < l.items.size(); i++) {
            String where = section + "[" + i + "]";
            Node.MapNode t = r.map(l.items.get(i), where);
            if (t == null) {
                continue;
            }
            TermKind kind = r.choice(
                    r.requireSelector(t, "kind", where, JobKeys.EVERY_TERM_KEY),
                    where + " kind",
                    KINDS,
                    TermKind.class);
            String word = kind == null ? null : JobKeys.word(kind);
            List<String> known = new ArrayList<>(TERM_KEYS);
            if (kind == null) {
                // the kind is missing or wrong: accept the keys of every kind, each named once, so only
                // the kind is reported
                for (List<String> keys : List.of(ATOMS_KEYS, EXTERNAL_KEYS, CRYSTAL_KEYS)) {
                    keys.stream().filter(k -> !known.contains(k)).forEach(known::add);
                }
            } else {
                known.addAll(
                        switch (kind) {
                            case ATOMS -> ATOMS_KEYS;
                            case EXTERNAL -> EXTERNAL_KEYS;
                            case CRYSTAL -> CRYSTAL_KEYS;
                        });
            }
            r.keys(t, where + (kind == null ? "" : " (kind " + word + ")"), known);
            // an unnamed validation term is named apart from the fit's: names are unique in the job
            String unnamed = (section.equals("terms") ? "" : section + "-") + (kind == null ? "term" : word) + "-" + i;
            String name = r.optString(t, "name", where + " name", unnamed);
            boolean named = t.entries.containsKey("name");
            if (name != null) {
                Node prev = seen.putIfAbsent(name, named ? t.entries.get("name") : t);
                if (prev != null && named && !defaultNames.contains(name)) {
                    r.problem(
                            t.entries.get("name"),
                            "term name '" + name + "' is used twice (first at line " + prev.line + ")");
                } else if (prev != null && named) {
                    r.problem(
                            t.entries.get("name"),
                            "term name '" + name + "' is also the name given to the unnamed term at line " + prev.line
                                    + "; name that term, or choose another name here");
                } else if (prev != null) {
                    r.problem(
                            t,
                            where + " has no name, and the name it would get, '" + name
                                    + "', is taken by the term at line " + prev.line + "; give it a name");
                } else if (!named) {
                    defaultNames.add(name);
                }
            }
            String whereNamed = "term '" + name + "'";
            double weight = 1.0;
            if (t.entries.containsKey("weight")) {
                Double w = r.finite(t.entries.get("weight"), whereNamed + " weight");
                if (w != null && w < 0) {
                    r.problem(
                            t.entries.get("weight"),
                            whereNamed + " weight must not be negative, got " + JobReading.fmt(w));
                } else if (w != null) {
                    weight = w;
                }
                if (w != null && w == 0) {
                    zeroWeights.add(t.entries.get("weight"));
                }
                if (w != null && w > 0 && w < 1e-100) {
                    // a weight of 1e-320 makes every loss of the term 0 or nearly: the term is out of the fit
                    Node at = t.entries.get("weight");
                    r.warnings.add(r.shown + ":" + at.line + ":" + at.column + ": " + whereNamed + " weight "
                            + JobReading.written(at) + " is below 1e-100: the term's part of the loss underflows to 0"
                            + " or next to it, so the fit does not feel it; give 0 to monitor the term, or a weight"
                            + " that counts");
                }
            }
            read++;
            TermConfig config = kind == null
                    ? null
                    : switch (kind) {
                        case ATOMS -> atoms.read(t, whereNamed, paramNames, initial(params));
                        case EXTERNAL -> external.read(t, whereNamed);
                        case CRYSTAL -> crystal.read(t, whereNamed, paramNames, initial(params));
                    };
            List<String> quantities = config instanceof AtomsConfig a
                    ? (a.fitsForces() ? List.of("energy", "forces") : List.of("energy"))
                    : config instanceof JobFile.CrystalConfig c
                            ? new ArrayList<>(c.reference().keySet())
                            : config instanceof ExternalConfig x
                                    ? new ArrayList<>(x.reference().keySet())
                                    : List.of();
            if (!(config instanceof AtomsConfig) && t.entries.get("reference") instanceof Node.MapNode ref) {
                // a quantity whose reference value was refused is still one of the term's: the unit
                // or loss scale that names it is not a second problem
                quantities = new ArrayList<>(quantities);
                for (String q : ref.entries.keySet()) {
                    if (!quantities.contains(q)) {
                        quantities.add(q);
                    }
                }
            }
            if (config == null && kind == TermKind.ATOMS) {
                // an atoms term's quantities follow from its keys alone: a unit or loss scale that names
                // another is a problem even when the term has others (a misspelt parameter)
                quantities = AtomsTermReader.quantities(t);
            }
            // whether the term's quantities are known, so that a unit naming another is reported
            boolean quantitiesKnown = config != null
                    || kind == TermKind.ATOMS
                    || kind != null && t.entries.get("reference") instanceof Node.MapNode;
            Names names = names(t, kind, quantities);
            LossSpec loss = loss(t.entries.get("loss"), whereNamed, quantities, names);
            if (config != null
                    && loss != null
                    && loss.type() == LossType.RELATIVE_ERROR
                    && config instanceof ExternalConfig x) {
                x.reference().forEach((q, ref) -> {
                    for (double d : ref) {
                        if (d == 0) {
                            r.problem(
                                    t.entries.get("loss"),
                                    whereNamed + " loss relative_error needs non-zero reference values, but '" + q
                                            + "' has 0");
                            return;
                        }
                    }
                });
            }
            if (config != null && loss != null && loss.type() == LossType.RELATIVE_ERROR) {
                relativeErrorReferences(t, whereNamed, config);
            }
            if (section.equals("terms") && weight > 0 && name != null) {
                warnListedByTwoTerms(t, name, config);
            }
            termExtras(t, whereNamed, name, quantities, names, config, quantitiesKnown, kind == TermKind.CRYSTAL);
            if (config != null && loss != null) {
                out.add(new TermSpec(name, weight, loss, config));
            }
        }
        if (section.equals("terms")) {
            fitZeroWeights = zeroWeights;
            fitTermsRead = read;
        }
        return out;
    }

    /**
     * @return whether two atoms terms compute the same energy of a structure: the same potential,
     *     molecules, relaxation and Coulomb constant (their reference CSVs and forces aside). Terms
     *     that differ in one (a relaxed energy beside a single point, another potential) fit
     *     different things; one that fits forces besides still counts the energy
     */
    static boolean sameEnergy(AtomsConfig a, AtomsConfig b) {
        return a.potential().equals(b.potential())
                && a.moleculeSize() == b.moleculeSize()
                && a.excludeIntramolecular() == b.excludeIntramolecular()
                && java.util.Objects.equals(a.relax(), b.relax())
                && Double.compare(a.coulombConstant(), b.coulombConstant()) == 0;
    }

    /**
     * Warns of a structure that this fit term's reference CSV lists and another CSV, of an earlier
     * atoms term of non-zero weight that computes the same energy of it ({@link #sameEnergy}),
     * lists too: its energy counts twice in the fit's loss. One warning per earlier term, at this
     * term's {@code reference}, naming the first structures with their rows. Two terms of the same
     * CSV are left alone (the same data under two losses or weights is a way to write one's own
     * loss), as are a term of weight 0 (only watched) and the validation terms, which are not the
     * fit's.
     */
    private void warnListedByTwoTerms(Node.MapNode t, String name, TermConfig config) {
        if (!(config instanceof AtomsConfig a) || r.referenceEntries.get(a.reference()) == null) {
            return;
        }
        java.nio.file.Path csv = AtomsTermReader.realPlace(a.reference());
        Map<String, List<String>> byTerm = new LinkedHashMap<>();
        r.referenceEntries.get(a.reference()).forEach((real, row) -> {
            List<Listed> earlier = fitStructures.computeIfAbsent(real, k -> new ArrayList<>());
            java.util.Set<String> said = new java.util.HashSet<>();
            for (Listed before : earlier) {
                if (!before.term().equals(name)
                        && said.add(before.term())
                        && !AtomsTermReader.realPlace(before.csv()).equals(csv)
                        && sameEnergy(a, before.config())) {
                    byTerm.computeIfAbsent(before.term(), k -> new ArrayList<>())
                            .add(r.shown(row.file()) + " (" + r.shown(a.reference()) + " line " + row.line()
                                    + ", tag '" + row.tag() + "'; " + r.shown(before.csv()) + " line "
                                    + before.row().line() + ", tag '"
                                    + before.row().tag() + "')");
                }
            }
            earlier.add(new Listed(name, a.reference(), row, a));
        });
        Node at = t.entries.get("reference");
        for (Map.Entry<String, List<String>> e : byTerm.entrySet()) {
            List<String> said = e.getValue();
            int named = Math.min(3, said.size());
            r.warnings.add(r.shown + ":" + at.line + ":" + at.column + ": term '" + name + "' lists "
                    + (said.size() == 1 ? "a structure" : said.size() + " structures") + " that term '" + e.getKey()
                    + "' lists too, in another reference CSV, so "
                    + (said.size() == 1 ? "its energy counts" : "their energies count") + " twice in the fit's loss: "
                    + String.join(", ", said.subList(0, named))
                    + (said.size() > named ? " and " + (said.size() - named) + " more" : "")
                    + "; list each structure in one term (a term of weight 0 is only watched and counts nothing;"
                    + " to weigh a structure more, give it a term of its own with a larger weight)");
        }
    }

    /**
     * Refuses a fit whose every term (of {@code terms}, as read last) has weight 0: its objective is
     * 0 whatever the parameters. Only for a job read to be fitted; {@code eval} may look at such
     * terms.
     */
    void refuseAllZeroWeights() {
        int read = fitTermsRead;
        if (read > 0 && fitZeroWeights.size() == read) {
            r.problem(
                    fitZeroWeights.get(0),
                    "every term of the fit has weight 0"
                            + (read > 1
                                    ? " (lines "
                                            + fitZeroWeights.stream()
                                                    .map(w -> String.valueOf(w.line))
                                                    .collect(java.util.stream.Collectors.joining(", "))
                                            + ")"
                                    : "")
                            + ": the objective is 0 whatever the parameters, so the fit cannot determine them;"
                            + " give a term a positive weight (a held-out term belongs under validation)");
        }
    }

    /**
     * loss relative_error divides by each reference value: a zero one is refused where it is
     * written, in the job file (a crystal term) or at its row of the reference CSV (an atoms term).
     * External terms' values are checked where their loss is read.
     */
    private void relativeErrorReferences(Node.MapNode t, String where, TermConfig config) {
        String rule = " loss relative_error divides by each reference value, but ";
        String fix = "; use loss absolute_error or squared_error for this term, or leave the value out";
        if (config instanceof AtomsConfig a && a.fitsForces()) {
            r.problem(
                    t.entries.get("loss"),
                    where + " loss relative_error cannot compare forces: it divides by each reference value, and"
                            + " force components are often 0 (on an atom of a symmetric structure, or one at rest);"
                            + " use squared_error, mean_squared_error or absolute_error with forces");
        }
        if (config instanceof AtomsConfig a) {
            List<org.chemfit.atoms.ReferenceEntry> entries;
            try {
                // the rows that are well formed: the others are reported with the CSV's lines where the
                // term's settings were read
                entries = org.chemfit.atoms.ReferenceCsv.readWellFormed(a.reference(), null, p -> {});
            } catch (RuntimeException e) {
                return; // a file that cannot be read, reported when the plan reads it
            }
            for (org.chemfit.atoms.ReferenceEntry e : entries) {
                if (e.energy() == 0) {
                    r.fileProblem(
                            a.reference(),
                            e.line(),
                            where + rule + "the reference energy of tag '" + e.tag() + "' is 0" + fix);
                }
            }
        } else if (config instanceof JobFile.CrystalConfig c && t.entries.get("reference") instanceof Node.MapNode rm) {
            c.reference().forEach((q, values) -> {
                if (values.length == 1 && values[0] == 0) {
                    r.problem(rm.entries.get(q), where + rule + "reference '" + q + "' is 0" + fix);
                }
            });
        }
    }

    /**
     * What a loss scale or unit key is checked against. {@code valid}: the term's quantities whose
     * names the term computes (the reference keys that were not refused), the names a hint may
     * suggest; {@code misspelt}: the computed names that a refused reference key is a misspelling
     * of. A loss scale or unit that names one of those is right, the reference key is wrong and is
     * reported (with the hint) at its own place: it is not a second problem.
     */
    private record Names(List<String> valid, java.util.Set<String> misspelt) {}

    private static Names names(Node.MapNode t, @Nullable TermKind kind, List<String> quantities) {
        // an atoms term's quantities (energy, and forces when it fits them) are all its own
        List<String> computed = null;
        if (kind == TermKind.CRYSTAL) {
            computed = CrystalTermReader.QUANTITIES;
        } else if (kind == TermKind.EXTERNAL && t.entries.get("outputs") instanceof Node.MapNode om) {
            computed = new ArrayList<>(om.entries.keySet());
        }
        if (computed == null) {
            return new Names(quantities, java.util.Set.of());
        }
        List<String> valid = new ArrayList<>();
        java.util.Set<String> misspelt = new java.util.HashSet<>();
        for (String q : quantities) {
            if (computed.contains(q)) {
                valid.add(q);
            } else {
                String sug = JobReading.suggest(q, computed);
                if (sug != null) {
                    misspelt.add(sug);
                }
            }
        }
        return new Names(valid, misspelt);
    }

    private LossSpec loss(Node n, String where, List<String> quantities, Names names) {
        if (n == null) {
            return new LossSpec(LossType.SQUARED_ERROR, Map.of());
        }
        if (n instanceof Node.Scalar) {
            LossType type = r.choice(n, where + " loss", LOSS_TYPES, LossType.class);
            return type == null ? null : new LossSpec(type, Map.of());
        }
        Node.MapNode m = r.map(n, where + " loss");
        if (m == null) {
            return null;
        }
        r.keys(m, where + " loss", LOSS_KEYS);
        LossType type = m.entries.containsKey("type")
                ? r.choice(m.entries.get("type"), where + " loss type", LOSS_TYPES, LossType.class)
                : LossType.SQUARED_ERROR;
        Map<String, Double> scales = new LinkedHashMap<>();
        Node s = m.entries.get("scale");
        if (s != null && type == LossType.RELATIVE_ERROR) {
            // a scale here would be recorded in results.json as if it divided the errors
            r.problem(
                    s,
                    where + " loss scale takes no part in relative_error, which divides each error by its own"
                            + " reference value; remove the scale, or give type absolute_error or squared_error,"
                            + " which divide by it");
            return null;
        }
        if (s instanceof Node.MapNode sm) {
            for (Map.Entry<String, Node> e : sm.entries.entrySet()) {
                int[] place = sm.keyPlaces.get(e.getKey());
                if (!quantities.isEmpty() && !quantities.contains(e.getKey())) {
                    if (!names.misspelt().contains(e.getKey())) {
                        String sug = JobReading.suggest(e.getKey(), names.valid());
                        r.problem(
                                place[0],
                                place[1],
                                where + " loss scale names '" + e.getKey() + "', which has no reference value"
                                        + (sug == null ? "" : " (did you mean '" + sug + "'?)")
                                        + listed("quantities", names.valid()));
                    }
                    continue;
                }
                Double d = r.positive(e.getValue(), where + " loss scale of '" + e.getKey() + "'");
                if (d != null) {
                    scales.put(e.getKey(), d);
                }
            }
        } else if (s != null) {
            Double d = r.positive(s, where + " loss scale");
            if (d != null) {
                for (String q : quantities) {
                    scales.put(q, d);
                }
            }
        }
        return type == null ? null : new LossSpec(type, scales);
    }

    /**
     * @param params the parameters read
     * @return each one's initial value, by name, for the warnings about the structures at the
     *     initial parameters (a charged cell)
     */
    private static Map<String, Double> initial(List<ParameterSpec> params) {
        Map<String, Double> initial = new LinkedHashMap<>();
        for (ParameterSpec p : params) {
            initial.put(p.name(), p.initial());
        }
        return initial;
    }

    /** A term's {@code unit} (one for all its quantities, or a map by quantity) and an atoms term's {@code coordinate}. */
    private void termExtras(
            Node.MapNode t,
            String where,
            String name,
            List<String> quantities,
            Names names,
            TermConfig config,
            boolean known,
            boolean crystal) {
        Node un = t.entries.get("unit");
        if (crystal && name != null) {
            crystalUnits(un, where, name, quantities, names, known);
        } else if (un != null && name != null) {
            Map<String, String> units = new LinkedHashMap<>();
            if (un instanceof Node.MapNode um) {
                for (Map.Entry<String, Node> e : um.entries.entrySet()) {
                    if (known
                            && !quantities.contains(e.getKey())
                            && names.misspelt().contains(e.getKey())) {
                        continue;
                    }
                    if (known && !quantities.contains(e.getKey())) {
                        int[] place = um.keyPlaces.get(e.getKey());
                        String sug = JobReading.suggest(e.getKey(), names.valid());
                        r.problem(
                                place[0],
                                place[1],
                                where + " unit names '" + e.getKey() + "', which is not a quantity of the term"
                                        + (sug == null ? "" : " (did you mean '" + sug + "'?)")
                                        + listed("its quantities", names.valid()));
                        continue;
                    }
                    String u = r.unit(e.getValue(), where + " unit of '" + e.getKey() + "'");
                    if (u != null) {
                        units.put(e.getKey(), u);
                    }
                }
            } else {
                String u = r.unit(un, where + " unit");
                if (u != null) {
                    quantities.forEach(q -> units.put(q, u));
                }
            }
            if (config instanceof AtomsConfig a && a.fitsForces()) {
                forcesUnit(un, where, units);
            }
            r.extras.quantities.put(name, units);
        }
        Node cn = t.entries.get("coordinate");
        if (cn == null || name == null) {
            return;
        }
        String column = null;
        String cunit = "";
        if (cn instanceof Node.MapNode cm) {
            r.keys(cm, where + " coordinate", COORDINATE_KEYS);
            column = r.string(r.require(cm, "column", where + " coordinate"), where + " coordinate column");
            if (cm.entries.containsKey("unit")) {
                String u = r.unit(cm.entries.get("unit"), where + " coordinate unit");
                cunit = u == null ? "" : u;
            }
        } else if (cn instanceof Node.Scalar s && s.value instanceof String) {
            column = r.string(cn, where + " coordinate");
        } else {
            r.problem(
                    cn,
                    where
                            + " coordinate must name a column of the reference CSV (such as r) or be a map {column: r, unit: A}, got "
                            + cn.kind());
            return;
        }
        if (column == null) {
            return;
        }
        if (config instanceof AtomsConfig a && a.reference() != null) {
            // the CSV's rows, the coordinate's values among them, are reported with the reference,
            // each at its line and once; a header without the column is the coordinate's problem,
            // reported here whatever else is wrong with the rows
            List<String> header = header(a.reference());
            String wanted = column.trim();
            if (header != null
                    // a header without them is the reference's problem, reported with it
                    && org.chemfit.atoms.ReferenceCsv.namesFileAndEnergy(header)
                    && header.stream().noneMatch(f -> f.trim().equalsIgnoreCase(wanted))) {
                try {
                    org.chemfit.atoms.ReferenceCsv.column(a.reference(), column);
                } catch (org.chemfit.ChemFitException e) {
                    r.problem(cn, where + " coordinate: " + e.getMessage());
                    return;
                }
            }
        }
        r.extras.coordinates.put(name, new JobFile.Coordinate(column, cunit));
    }

    /**
     * The forces of an atoms term are in its energy unit per Å: that is their unit, whatever one
     * unit the term's key gives all its quantities; a unit given to {@code forces} by name must be
     * that one, and is refused otherwise (or when the energy has no unit to derive it from).
     *
     * @param un the node of the term's unit key
     * @param where the term in words
     * @param units the units read, by quantity; the forces' is set here
     */
    private void forcesUnit(Node un, String where, Map<String, String> units) {
        String energy = units.get("energy");
        String derived = energy == null || energy.isEmpty() ? null : energy + "/Å";
        String given = units.remove("forces");
        if (un instanceof Node.MapNode um && given != null && !perAngstrom(given, energy)) {
            r.problem(
                    um.entries.get("forces"),
                    where + " unit of 'forces' is '" + given + "', but forces are in the term's energy unit per Å"
                            + (derived == null
                                    ? "; give the energy its unit (unit: {energy: eV}) and leave the forces' out"
                                    : ", " + derived + "; leave the forces' unit out (it follows from the energy's)"));
        }
        if (derived != null) {
            units.put("forces", derived);
        }
    }

    /**
     * @return whether the unit is the energy unit per Å, with Å in any of its spellings ({@code
     *     eV/A}, LAMMPS's metal units, as {@code eV/Å})
     */
    private static boolean perAngstrom(String unit, @Nullable String energy) {
        if (energy == null || energy.isEmpty()) {
            return false;
        }
        // one notation of powers and products: eV Å⁻¹, eV·Å-1, kcal mol-1 A-1, kcal/mol * A^-1, eV/(A)
        String u = unit.strip()
                .replace("⁻¹", "^-1")
                .replace('·', ' ')
                .replaceAll("(?<=[\\p{L}])-1\\b", "^-1")
                .replaceAll("\\s*\\*\\s*", "*")
                .replaceAll("/\\(([^\\s*()]+)\\)$", "/$1");
        String head;
        String length;
        java.util.regex.Matcher inverse = INVERSE_LENGTH.matcher(u);
        java.util.regex.Matcher grouped = GROUPED_LENGTH.matcher(u);
        if (inverse.matches()) { // kcal mol^-1 A^-1
            head = inverse.group(1).replaceAll("\\*$", "");
            length = inverse.group(2);
        } else if (grouped.matches()) { // kcal/(mol*A), kcal/(mol A)
            head = grouped.group(1) + "/" + grouped.group(2);
            length = grouped.group(3);
        } else if (u.lastIndexOf('/') > 0) { // kcal/mol/A
            head = u.substring(0, u.lastIndexOf('/')).strip();
            length = u.substring(u.lastIndexOf('/') + 1).strip();
        } else {
            return false;
        }
        if (!JobKeys.spells(length, "Å")) {
            return false;
        }
        // the energy in any of its spellings (kcal mol^-1 for kcal/mol), or, for a unit not known, as written
        Double per = EnergyUnits.perEv(head);
        return head.equals(energy) || per != null && per.equals(EnergyUnits.perEv(energy));
    }

    /** A unit written with a length to the power -1 after it: {@code kcal mol^-1 A^-1}, {@code eV Å^-1}. */
    private static final java.util.regex.Pattern INVERSE_LENGTH =
            java.util.regex.Pattern.compile("(.*\\S)[\\s*]+([^\\s*/^]+)\\^-1");

    /** A unit written with the length in a bracket below it: {@code kcal/(mol*A)}, {@code kcal/(mol A)}. */
    private static final java.util.regex.Pattern GROUPED_LENGTH =
            java.util.regex.Pattern.compile("(.+)/\\((.+?)[\\s*]+([^\\s*()]+)\\)");

    /**
     * A crystal term computes each quantity in one unit ({@link JobKeys#CRYSTAL_UNITS}: Å, Å^3, eV,
     * GPa) and converts nothing: a declared unit that is another one is refused at its place, naming
     * the unit the term computes; the quantities without a declared unit get that unit, so that
     * tables, results.json and plots show it. A unit for a quantity the term does not have is
     * reported only when the term's quantities are known ({@code read}: the term was read, or its
     * reference is a map whose keys are its quantities), as for the other kinds.
     */
    private void crystalUnits(Node un, String where, String name, List<String> quantities, Names names, boolean read) {
        Map<String, String> units = new LinkedHashMap<>();
        if (un instanceof Node.MapNode um) {
            for (Map.Entry<String, Node> e : um.entries.entrySet()) {
                String q = e.getKey();
                if (!JobKeys.CRYSTAL_UNITS.containsKey(q) || (read && !quantities.contains(q))) {
                    if (JobKeys.CRYSTAL_UNITS.containsKey(q) && names.misspelt().contains(q)) {
                        continue;
                    }
                    int[] place = um.keyPlaces.get(q);
                    String sug = JobReading.suggest(q, names.valid());
                    r.problem(
                            place[0],
                            place[1],
                            where + " unit names '" + q + "', which is not a quantity of the term"
                                    + (sug == null ? "" : " (did you mean '" + sug + "'?)")
                                    + listed("its quantities", names.valid()));
                    continue;
                }
                String u = r.unit(e.getValue(), where + " unit of '" + q + "'");
                if (u != null && computedIn(e.getValue(), where + " unit of '" + q + "'", q, u)) {
                    units.put(q, JobKeys.gpaSpelt(u));
                }
            }
        } else if (un != null) {
            String u = r.unit(un, where + " unit");
            if (u != null) {
                List<String> others = new ArrayList<>();
                for (String q : quantities) {
                    String computed = JobKeys.CRYSTAL_UNITS.get(q);
                    if (computed != null && !JobKeys.spells(u, computed)) {
                        others.add(q + " in " + computed);
                    } else if (computed != null) {
                        units.put(q, JobKeys.gpaSpelt(u));
                    }
                }
                if (!others.isEmpty()) {
                    r.problem(
                            un,
                            where + " unit is '" + u + "', but a crystal term computes " + String.join(", ", others)
                                    + " and converts nothing; leave unit out (each quantity then shows the unit it"
                                    + " is computed in) or give a unit per quantity");
                }
            }
        }
        for (String q : quantities) {
            String computed = JobKeys.CRYSTAL_UNITS.get(q);
            if (computed != null) {
                units.putIfAbsent(q, computed);
            }
        }
        r.extras.quantities.put(name, units);
    }

    /** @return whether a crystal quantity's declared unit is the one the term computes it in (else reported) */
    private boolean computedIn(Node n, String where, String quantity, String unit) {
        String computed = JobKeys.CRYSTAL_UNITS.get(quantity);
        if (computed != null && JobKeys.spells(unit, computed)) {
            return true;
        }
        r.problem(
                n,
                where + " is '" + unit + "', but a crystal term computes " + quantity + " in " + computed
                        + " and converts nothing; give the reference in " + computed + " and unit " + computed
                        + " (or leave it out: " + computed + " is the default)");
        return false;
    }

    /**
     * @return the fields of a CSV's header, its first line that is not blank, or null when the file
     *     cannot be read or has none (reported with the reference)
     */
    private static @Nullable List<String> header(java.nio.file.Path csv) {
        try (java.io.BufferedReader in =
                java.nio.file.Files.newBufferedReader(csv, java.nio.charset.StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    return org.chemfit.atoms.ReferenceCsv.fields(line.replace("\uFEFF", ""));
                }
            }
            return null;
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return null;
        }
    }

    /**
     * @return "; quantities: a, b", or, when the reference names none of the quantities the term
     *     computes (every key of it misspelt, each reported at its place), what that means here
     */
    private static String listed(String label, java.util.Collection<String> names) {
        return names.isEmpty()
                ? "; the reference names none of the term's quantities"
                : "; " + label + ": " + String.join(", ", names);
    }
}
