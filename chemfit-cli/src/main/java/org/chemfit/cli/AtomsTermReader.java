package org.chemfit.cli;

import static org.chemfit.cli.JobKeys.FORCES_KEYS;
import static org.chemfit.cli.JobKeys.MAX_MOLECULE_SIZE;
import static org.chemfit.cli.JobKeys.MAX_RELAX_STEPS;
import static org.chemfit.cli.JobKeys.RELAX_KEYS;
import static org.chemfit.cli.JobKeys.RELAX_METHODS;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.chemfit.cli.JobFile.AtomsConfig;
import org.jspecify.annotations.NullUnmarked;

/**
 * Reads a {@code kind: atoms} term (a reference CSV of structures, a pair potential, molecules and
 * relaxation) into a {@link JobFile.AtomsConfig}, checking that each species the potential names
 * occurs in a structure.
 *
 * <pre>{@code
 * AtomsConfig a = new AtomsTermReader(reading, potentialReader).read(termNode, "term 'ar2'", parameterNames);
 * }</pre>
 *
 * @implNote One instance per job file, used while it is read; not thread-safe.
 */
// Not yet checked by NullAway (docs/architecture.md, "Build gates", says why).
@NullUnmarked
final class AtomsTermReader {

    private final JobReading r;
    private final PotentialReader potential;

    AtomsTermReader(JobReading reading, PotentialReader potential) {
        this.r = reading;
        this.potential = potential;
    }

    /**
     * Refuses a molecule size that does not divide the atoms of every structure: the molecules of
     * such a structure are not consecutive blocks of that size, and its evaluation would fail. One
     * problem at the {@code molecule_size} key says how many structures and names the first three.
     *
     * @param node the {@code molecule_size} node
     * @param size its value
     * @param structures the structures read, with their rows
     * @param reference the reference CSV
     * @param where the term in words ("term 'dimers'")
     */
    private void molecules(
            Node node,
            int size,
            Map<org.chemfit.atoms.ReferenceEntry, org.chemfit.atoms.Atoms> structures,
            Path reference,
            String where) {
        List<String> bad = new ArrayList<>();
        for (Map.Entry<org.chemfit.atoms.ReferenceEntry, org.chemfit.atoms.Atoms> s : structures.entrySet()) {
            int atoms = s.getValue().size();
            if (atoms % size != 0) {
                bad.add(r.shown(s.getKey().file()) + " (line " + s.getKey().line() + ", tag '"
                        + s.getKey().tag() + "', " + Tables.count(atoms, "atom") + ")");
            }
        }
        if (bad.isEmpty()) {
            return;
        }
        r.problem(
                node,
                where + " molecule_size " + size + " cannot split the atoms of " + bad.size() + " of the "
                        + Tables.count(structures.size(), "structure") + " of " + r.shown(reference)
                        + " into molecules of " + size + " atoms: "
                        + String.join(", ", bad.subList(0, Math.min(3, bad.size())))
                        + (bad.size() > 3 ? " and " + (bad.size() - 3) + " more" : "")
                        + "; molecule_size must divide the number of atoms of each structure");
    }

    /**
     * @param t the term's node
     * @param where the term in words ("term 'dimers'")
     * @param paramNames the parameters' names
     * @param initial the parameters' initial values by name, for the warnings about the structures
     * @return the term's settings, or null when a problem was reported
     */
    AtomsConfig read(Node.MapNode t, String where, Set<String> paramNames, Map<String, Double> initial) {
        Path reference = r.path(r.require(t, "reference", where), where + " reference", true);
        Double forcesWeight = readForcesWeight(t, where);
        // each structure that gives no usable forces, named with its file's line and its CSV line
        List<String> noForces = new ArrayList<>();
        int forceValues = 0;
        // The species of every structure, to check the potential's species against (null when a file cannot be read).
        Set<String> present = reference == null ? null : new java.util.TreeSet<>();
        // Each structure read, with its row, for the checks of the potential against the structures.
        Map<org.chemfit.atoms.ReferenceEntry, org.chemfit.atoms.Atoms> structures = new java.util.LinkedHashMap<>();
        if (reference != null) {
            // Every problem of the CSV is reported here, at once, each at its line: the bad fields of
            // its rows, the bad values of the coordinate column, and each structure file that is
            // missing or malformed. The structures belong in the job's hash too.
            boolean[] csvProblems = {false};
            try {
                List<org.chemfit.atoms.ReferenceEntry> rows =
                        org.chemfit.atoms.ReferenceCsv.readWellFormed(reference, coordinateColumn(t), p -> {
                            r.fileProblem(p.file(), p.line(), p.problem());
                            csvProblems[0] = true;
                        });
                if (!csvProblems[0]) {
                    r.referenceCsvRows.put(reference, rows);
                }
                // each structure file by its real place (links followed): the first row that lists it
                Map<Path, org.chemfit.atoms.ReferenceEntry> listed = new java.util.LinkedHashMap<>();
                // a CSV that two terms read has its repeated rows said once, for the first
                boolean firstReading = r.repeatsChecked.add(realPlace(reference));
                // rows after the first LISTED_TWICE_SHOWN listed twice are counted, not said one by one
                int twice = 0;
                for (org.chemfit.atoms.ReferenceEntry e : rows) {
                    if (!Files.isRegularFile(e.file())) {
                        r.fileProblem(reference, e.line(), AtomsTerms.notAStructureFile(where, e, reference));
                        present = null;
                        continue;
                    }
                    org.chemfit.atoms.ReferenceEntry before = listed.putIfAbsent(realPlace(e.file()), e);
                    if (before != null && firstReading && twice++ < LISTED_TWICE_SHOWN) {
                        r.warnings.add(listedTwice(reference, before, e, where));
                    }
                    r.namedFiles.add(e.file().toAbsolutePath().normalize());
                    org.chemfit.atoms.Atoms atoms;
                    try {
                        atoms = r.structures.atoms(e.file());
                    } catch (org.chemfit.atoms.InputFormatException x) {
                        r.fileProblem(x.file(), x.line(), AtomsTerms.malformedStructure(x, reference, e));
                        present = null;
                        continue;
                    }
                    if (forcesWeight != null && forcesWeight > 0) {
                        try {
                            forceValues += r.structures.forces(e.file()).length;
                        } catch (org.chemfit.atoms.InputFormatException x) {
                            noForces.add(r.shown(x.file()) + ":" + x.line() + " (" + r.shown(reference) + " line "
                                    + e.line() + ", tag '" + e.tag() + "'): " + x.problem());
                        }
                    }
                    structures.put(e, atoms);
                    if (present != null) {
                        present.addAll(atoms.speciesList());
                    }
                }
                if (twice > LISTED_TWICE_SHOWN) {
                    r.warnings.add(r.shown(reference) + ": " + where + " lists "
                            + Tables.count(twice - LISTED_TWICE_SHOWN, "more row")
                            + " whose structure an earlier row lists too (" + twice + " in all; the first "
                            + LISTED_TWICE_SHOWN + " are said above)");
                }
                r.referenceEntries.put(reference, java.util.Collections.unmodifiableMap(listed));
            } catch (RuntimeException e) {
                // a file that cannot be read: reported by FitPlan
                present = null;
            }
            if (csvProblems[0]) {
                present = null; // a bad row's structure may hold the species
            } else {
                r.referenceRows.put(reference, structures.size());
                if (forcesWeight != null && forcesWeight > 0 && noForces.isEmpty() && present != null) {
                    r.referenceForces.put(reference, forceValues);
                }
            }
        }
        int moleculeSize = 0;
        Integer ms = r.optInt(t, "molecule_size", where + " molecule_size", 1, MAX_MOLECULE_SIZE);
        if (ms != null) {
            moleculeSize = ms;
            molecules(t.entries.get("molecule_size"), ms, structures, reference, where);
        }
        boolean exclude = t.entries.containsKey("exclude_intramolecular")
                && Boolean.TRUE.equals(
                        r.bool(t.entries.get("exclude_intramolecular"), where + " exclude_intramolecular"));
        if (exclude && moleculeSize == 0) {
            r.problem(
                    t.entries.get("exclude_intramolecular"),
                    where + " exclude_intramolecular needs molecule_size (how many atoms " + "make one molecule)");
        }
        List<JobFile.PairTermSpec> pairs = new ArrayList<>();
        Node pn = r.require(t, "potential", where);
        List<Node> items = new ArrayList<>();
        if (pn instanceof Node.ListNode l) {
            if (l.items.isEmpty()) {
                r.problem(pn, where + " potential must hold at least one pair term");
            }
            items.addAll(l.items);
        } else if (pn != null) {
            items.add(pn);
        }
        for (int i = 0; i < items.size(); i++) {
            String w = where + " potential" + (pn instanceof Node.ListNode ? "[" + i + "]" : "");
            Node.MapNode pm = r.map(items.get(i), w);
            if (pm == null) {
                continue;
            }
            JobFile.PairTermSpec spec = potential.pairTerm(pm, w, paramNames);
            if (spec != null) {
                pairs.add(spec);
            }
        }
        if (present != null && !present.isEmpty()) {
            String csv = String.valueOf(((Node.Scalar) t.entries.get("reference")).value);
            new StructureChecks(r)
                    .species(
                            items,
                            pn instanceof Node.ListNode,
                            new StructureChecks.Species(
                                    present, "no structure of " + csv + " has", "structures of " + csv + " have"),
                            where + " potential");
        }
        if (pairs.size() == items.size()) {
            StructureChecks checks = new StructureChecks(r);
            boolean coulombSaid = false;
            for (Map.Entry<org.chemfit.atoms.ReferenceEntry, org.chemfit.atoms.Atoms> s : structures.entrySet()) {
                String shown = r.shown(s.getKey().file()) + " (" + r.shown(reference) + " line "
                        + s.getKey().line() + ", tag '" + s.getKey().tag() + "')";
                // one structure says what is wrong with a Coulomb term; the others would repeat it
                coulombSaid = coulombSaid || checks.coulomb(items, pairs, s.getValue(), shown, where + " potential");
                // each structure too small for the minimum image is named: it is a problem of its own
                checks.minimumImage(items, pairs, s.getValue(), shown, where + " potential");
                // a cell too thin for its cutoff (two vectors nearly alike): no search of it would end
                if (!checks.tooThin(t.entries.get("reference"), pairs, s.getValue(), shown, where)) {
                    // each structure with two atoms at the same place is a problem of its own
                    checks.samePlace(t.entries.get("reference"), pairs, s.getValue(), shown, where);
                    // a structure in nm: every energy would take seconds
                    checks.tooManyImages(t.entries.get("reference"), pairs, s.getValue(), shown, where);
                }
            }
        }
        Double coulombConstant = coulombConstant(t, items, pn instanceof Node.ListNode, where);
        if (pairs.size() == items.size() && r.problems.isEmpty()) {
            Map<String, org.chemfit.atoms.Atoms> shown = new java.util.LinkedHashMap<>();
            structures.forEach((e, atoms) -> shown.put(
                    r.shown(e.file()) + " (" + r.shown(reference) + " line " + e.line() + ", tag '" + e.tag() + "')",
                    atoms));
            StructureChecks checks = new StructureChecks(r);
            String of = "structures of " + r.shown(reference);
            checks.warnUnpaired(pairs, shown, of, where);
            checks.warnNetCharge(pairs, pn instanceof Node.ListNode, shown, initial, of, where);
            checks.warnCloseAtoms(pairs, shown, of, where);
            java.util.Set<String> many = checks.warnManyImages(pairs, shown, of, where);
            checks.warnPairsAtCutoff(pairs, pn instanceof Node.ListNode, shown, many, of, where);
        }
        if (pairs.size() == items.size()) {
            // an energy parameter declared in another energy unit than the term's is taken in the term's
            Node un = t.entries.get("unit");
            Node energy = un instanceof Node.MapNode um ? um.entries.get("energy") : un;
            r.warnings.addAll(EnergyUnits.parameterMismatches(
                    pairs,
                    items,
                    pn instanceof Node.ListNode,
                    r.extras.parameters,
                    energy instanceof Node.Scalar s && s.value instanceof String text ? text : null,
                    where));
            r.warnings.addAll(
                    EnergyUnits.parameterUnits(pairs, items, pn instanceof Node.ListNode, r.extras, r.shown, where));
        }
        JobFile.RelaxSpec relax = null;
        boolean relaxOk = true;
        Node rn = t.entries.get("relax");
        if (rn instanceof Node.Scalar sc && sc.value instanceof Boolean b) {
            relax = b ? new JobFile.RelaxSpec(JobFile.RelaxMethod.FIRE, 1e-5, 2000, 0.2) : null;
        } else if (rn != null) {
            Node.MapNode rm = r.map(rn, where + " relax");
            relaxOk = rm != null;
            if (rm != null) {
                r.keys(rm, where + " relax", RELAX_KEYS);
                JobFile.RelaxMethod method = rm.entries.containsKey("method")
                        ? r.choice(
                                rm.entries.get("method"),
                                where + " relax method",
                                RELAX_METHODS,
                                JobFile.RelaxMethod.class)
                        : JobFile.RelaxMethod.FIRE;
                double fmax = 1e-5;
                if (rm.entries.containsKey("fmax")) {
                    Double d = r.positive(rm.entries.get("fmax"), where + " relax fmax");
                    relaxOk &= d != null;
                    fmax = d == null ? fmax : d;
                }
                Integer steps = r.optInt(rm, "steps", where + " relax steps", 1, MAX_RELAX_STEPS);
                relaxOk &= steps != null || !rm.entries.containsKey("steps");
                double maxStep = 0.2;
                if (rm.entries.containsKey("max_step")) {
                    Double d = r.positive(rm.entries.get("max_step"), where + " relax max_step");
                    relaxOk &= d != null;
                    maxStep = d == null ? maxStep : d;
                }
                relaxOk &= method != null;
                relax = method == null
                        ? null
                        : new JobFile.RelaxSpec(method, fmax, steps == null ? 2000 : steps, maxStep);
            }
        }
        Node fn = t.entries.get("forces");
        if (forcesWeight != null && forcesWeight > 0 && relax != null) {
            r.problem(
                    fn,
                    where + " forces cannot be fitted with relax: the relaxation moves each structure until its"
                            + " forces are about 0 (below fmax) whatever the parameters, so they would say nothing"
                            + " of the model; fit the forces of the structures as given (leave relax out), or leave"
                            + " forces out");
            forcesWeight = null;
        }
        if (!noForces.isEmpty()) {
            r.problem(
                    fn,
                    where + " forces: " + Tables.count(noForces.size(), "structure") + " of " + r.shown(reference)
                            + (noForces.size() == 1 ? " gives" : " give") + " no usable reference forces: "
                            + String.join("; ", noForces.subList(0, Math.min(3, noForces.size())))
                            + (noForces.size() > 3 ? "; and " + (noForces.size() - 3) + " more" : ""));
            forcesWeight = null;
        }
        if (reference == null
                || forcesWeight == null
                || pairs.size() != items.size()
                || items.isEmpty()
                || !relaxOk
                || coulombConstant == null) {
            return null;
        }
        return new AtomsConfig(reference, pairs, moleculeSize, exclude, relax, coulombConstant, forcesWeight);
    }

    /** How many rows of one reference CSV that list a structure again are said one by one; the others are counted. */
    static final int LISTED_TWICE_SHOWN = 20;

    /**
     * The warning that two rows of a reference CSV list one structure file under two tags: its
     * error counts twice in the term's loss, with the same energy, or the model cannot give both
     * energies, with two.
     *
     * @param reference the reference CSV
     * @param first the row that lists the structure first
     * @param again the row that lists it again
     * @param where the term in words ("term 'dimers'")
     * @return {@code "data/ref.csv:4: term 'dimers' lists structure data/d0.xyz twice, on lines 2 (tag
     *     'a') and 4 (tag 'b') of data/ref.csv, with the same energy -0.01: the same data count twice
     *     in the term's loss (its error weighs double); remove one of the rows"}
     */
    private String listedTwice(
            Path reference,
            org.chemfit.atoms.ReferenceEntry first,
            org.chemfit.atoms.ReferenceEntry again,
            String where) {
        String shownFirst = r.shown(first.file()).toString();
        String shownAgain = r.shown(again.file()).toString();
        String a = Tables.fmt(first.energy());
        String b = Tables.fmt(again.energy());
        if (a.equals(b) && first.energy() != again.energy()) {
            a = Double.toString(first.energy());
            b = Double.toString(again.energy());
        }
        return r.shown(reference) + ":" + again.line() + ": " + where + " lists structure " + shownFirst + " twice, on"
                + " lines " + first.line() + " (tag '" + first.tag() + "') and " + again.line() + " (tag '"
                + again.tag()
                + "'" + (shownAgain.equals(shownFirst) ? "" : ", as " + shownAgain) + ") of " + r.shown(reference)
                + (first.energy() == again.energy()
                        ? ", with the same energy " + a + ": the same data count twice in the term's loss (its error"
                                + " weighs double; to weigh a structure more, give it a term of its own with a larger"
                                + " weight)"
                        : ", with the energies " + a + " and " + b + ": one structure has one model energy, which"
                                + " cannot match both (the fit is pulled between them), and its error counts twice in"
                                + " the term's loss")
                + "; remove one of the rows";
    }

    /** @return the file's real place, links followed, or its normalised path when that cannot be found */
    static Path realPlace(Path file) {
        try {
            return file.toRealPath();
        } catch (java.io.IOException e) {
            return file.toAbsolutePath().normalize();
        }
    }

    /**
     * @param t an atoms term's node, read or not
     * @return its quantities as its keys give them: energy, and forces unless {@code forces} is
     *     absent or false (a malformed {@code forces} counts as given, so that a unit for the forces
     *     is not blamed for it)
     */
    static List<String> quantities(Node.MapNode t) {
        Node fn = t.entries.get("forces");
        boolean noForces = fn == null || fn instanceof Node.Scalar sc && Boolean.FALSE.equals(sc.value);
        return noForces ? List.of("energy") : List.of("energy", "forces");
    }

    /**
     * Reads {@code forces}: {@code true} (weight 1), {@code false}, or a map {@code {weight: W}}.
     *
     * @param t the term's node
     * @param where the term in words ("term 'dimers'")
     * @return the forces' weight, 0 when forces are not fitted, or null when a problem was reported
     */
    private Double readForcesWeight(Node.MapNode t, String where) {
        Node fn = t.entries.get("forces");
        if (fn == null) {
            return 0.0;
        }
        if (fn instanceof Node.Scalar sc && sc.value instanceof Boolean b) {
            return b ? 1.0 : 0.0;
        }
        if (!(fn instanceof Node.MapNode fm)) {
            r.problem(fn, where + " forces must be true, false or a map {weight: W}, got " + fn.kind());
            return null;
        }
        r.keys(fm, where + " forces", FORCES_KEYS);
        if (!fm.entries.containsKey("weight")) {
            return 1.0;
        }
        return r.positive(fm.entries.get("weight"), where + " forces weight");
    }

    /**
     * The Coulomb constant in the term's energy unit: the library computes Coulomb in eV, and the
     * short-range terms in whatever unit their parameters have, the term's. A known energy unit
     * ({@link EnergyUnits}) converts the constant; any other unit, with a Coulomb term in the
     * potential, is refused at the unit, since the Coulomb energy would be in eV and the rest not.
     *
     * @param t the term's node
     * @param items the potential's pair-term nodes
     * @param listed whether the potential is a list (its items are then numbered)
     * @param where the term in words ("term 'nacl'")
     * @return the constant in the term's energy unit times Å per e², or null when a problem was reported
     */
    private Double coulombConstant(Node.MapNode t, List<Node> items, boolean listed, String where) {
        Node un = t.entries.get("unit");
        Node energy = un instanceof Node.MapNode um ? um.entries.get("energy") : un;
        if (!(energy instanceof Node.Scalar s) || !(s.value instanceof String text)) {
            return EnergyUnits.COULOMB_EV; // no unit (eV), or a malformed one, reported with the term's units
        }
        Double k = EnergyUnits.coulombConstant(text);
        if (k != null || text.isBlank() || text.strip().length() > JobReading.UNIT_CHARS) {
            return k == null ? EnergyUnits.COULOMB_EV : k;
        }
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i) instanceof Node.MapNode pm
                    && pm.entries.get("form") instanceof Node.Scalar f
                    // as the potential's reader takes it: any case
                    && "coulomb".equals(String.valueOf(f.value).toLowerCase(java.util.Locale.ROOT))) {
                r.problem(
                        energy,
                        where + " unit is '" + text.strip() + "', an energy unit ChemFit does not know, but potential"
                                + (listed ? "[" + i + "]" : "") + " at line " + pm.line + " is a Coulomb term, whose"
                                + " constant (14.3996454784 eV Å/e²) is converted only into a known energy unit: "
                                + String.join(", ", EnergyUnits.NAMES)
                                + "; give the reference energies in one of them and name it here (the other pair"
                                + " terms' parameters are in the term's unit, whatever it is)"
                                + (EnergyUnits.prefixed(text) == null
                                        ? ""
                                        : "; " + EnergyUnits.prefixed(text) + ", not a unit it knows")
                                + (EnergyUnits.near(text) == null
                                        ? ""
                                        : "; did you mean '" + EnergyUnits.near(text) + "'?"));
                return null;
            }
        }
        // no Coulomb term: nothing to convert, and the unit is kept as written
        r.warnings.add(r.shown + ":" + energy.line + ":" + energy.column + ": " + where + " unit: "
                + EnergyUnits.unknown(text) + "; it is kept as written, but its energy parameters' units are not"
                + " compared with it");
        return EnergyUnits.COULOMB_EV;
    }

    /**
     * @return the column that the term's {@code coordinate} names, or null when it names none (a
     *     malformed {@code coordinate} is reported where the term's units are read)
     */
    private static String coordinateColumn(Node.MapNode t) {
        Node cn = t.entries.get("coordinate");
        if (cn instanceof Node.MapNode cm) {
            cn = cm.entries.get("column");
        }
        return cn instanceof Node.Scalar s && s.value instanceof String column && !column.isBlank() ? column : null;
    }
}
