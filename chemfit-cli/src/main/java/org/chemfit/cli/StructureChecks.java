package org.chemfit.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.chemfit.atoms.Atoms;
import org.chemfit.atoms.PairPotential;
import org.chemfit.atoms.PairPotential.CoulombMethod;
import org.jspecify.annotations.NullUnmarked;

/**
 * The rules that tie a term's settings to the structures it reads, checked while the job file is
 * read so that {@code validate}, {@code fit} and {@code eval} refuse the same jobs before anything
 * runs: a pair term that names a species no structure has, Coulomb charges that miss a species of
 * the structures, a Coulomb term that cannot be summed in a structure's cell, a short-range term without cutoff
 * in a cell too small for the minimum image, two atoms of a
 * structure at the same place, and formula units that do not divide a crystal cell's atoms.
 *
 * <pre>{@code
 * new StructureChecks(reading).coulomb(items, pairs, atoms, "data/mgo.xyz", "term 'periclase' potential");
 * }</pre>
 *
 * @implNote One instance per job file, used while it is read; not thread-safe.
 */
// Not yet checked by NullAway (docs/architecture.md, "Build gates", says why).
@NullUnmarked
final class StructureChecks {

    /**
     * Two atoms closer than this, in Å, are at the same place: well below any bond, and above the
     * rounding of coordinates written to a file.
     */
    static final double SAME_PLACE = 1e-3;

    private final JobReading r;

    StructureChecks(JobReading reading) {
        this.r = reading;
    }

    /**
     * Refuses a Coulomb term that the potential refuses in this structure's cell: a plain sum
     * ({@code method: direct}) without a cutoff in a periodic cell, which does not converge, and an
     * Ewald sum in a cell periodic along one or two vectors only. The same conditions as
     * {@code PairPotential}'s when it evaluates, reported at the pair term's line.
     *
     * @param items the potential's pair-term nodes
     * @param pairs their settings, one per node
     * @param atoms a structure of the term
     * @param structure the structure as the user names it (a path, with the CSV line where there is one)
     * @param where the potential's place in words ("term 'periclase' potential")
     * @return whether a problem was reported
     */
    boolean coulomb(List<Node> items, List<JobFile.PairTermSpec> pairs, Atoms atoms, String structure, String where) {
        if (items.size() != pairs.size() || !atoms.isPeriodic()) {
            return false;
        }
        boolean[] pbc = atoms.pbc();
        boolean fully = pbc[0] && pbc[1] && pbc[2];
        boolean found = false;
        for (int i = 0; i < pairs.size(); i++) {
            JobFile.PairTermSpec p = pairs.get(i);
            if (p.form() != JobFile.PairForm.COULOMB) {
                continue;
            }
            String w = where + (items.size() > 1 ? "[" + i + "]" : "");
            if (p.coulombMethod() == CoulombMethod.DIRECT && !Double.isFinite(p.cutoff())) {
                r.problem(
                        items.get(i),
                        w + ": a plain Coulomb sum (method direct) without a cutoff is refused in the periodic cell of "
                                + structure + ": the cell is " + periodic(pbc)
                                + ", and a plain sum over periodic images does not converge; use method: ewald"
                                + " (or method: dsf with alpha and a cutoff, a cutoff, or method: minimum_image for a"
                                + " cluster in a large box)");
                found = true;
            } else if (p.coulombMethod() == CoulombMethod.EWALD && !fully) {
                r.problem(
                        items.get(i),
                        w + ": the Ewald sum (method ewald) needs a cell periodic along all three vectors, but "
                                + structure + " is " + periodic(pbc)
                                + "; use method: dsf (with alpha and a cutoff) or method: direct with a cutoff");
                found = true;
            }
        }
        return found;
    }

    /**
     * Refuses a short-range pair term (every form but Coulomb) without a cutoff in a periodic cell
     * where the minimum image cannot stand for the sum over images: where h, half the smallest
     * height of the cell over its periodic directions (within which the minimum image is exact),
     * is less than twice d, the shortest distance between two atoms counting periodic images. Such
     * a term sees each pair's nearest image only, which suits a cluster in a large box but gives a
     * crystal's small cell a wrong energy (a cell of one atom gets 0). The same condition as
     * {@code PairPotential.minimumImageSuffices}, which the evaluation applies, reported at the
     * pair term's line.
     *
     * @param items the potential's pair-term nodes
     * @param pairs their settings, one per node
     * @param atoms a structure of the term
     * @param structure the structure as the user names it (a path, with the CSV line where there is one)
     * @param where the potential's place in words ("term 'argon' potential")
     * @return whether a problem was reported
     */
    boolean minimumImage(
            List<Node> items, List<JobFile.PairTermSpec> pairs, Atoms atoms, String structure, String where) {
        if (items.size() != pairs.size() || !atoms.isPeriodic()) {
            return false;
        }
        boolean found = false;
        for (int i = 0; i < pairs.size(); i++) {
            JobFile.PairTermSpec p = pairs.get(i);
            if (p.form() == JobFile.PairForm.COULOMB || Double.isFinite(p.cutoff())) {
                continue;
            }
            if (PairPotential.minimumImageSuffices(atoms)) {
                return false;
            }
            String w = where + (items.size() > 1 ? "[" + i + "]" : "");
            r.problem(
                    items.get(i),
                    w + ": a " + p.form().name().toLowerCase(Locale.ROOT) + " term without a cutoff is summed over"
                            + " each pair's minimum image only, which cannot stand for the sum over images in the"
                            + " periodic cell of " + structure + ": h = "
                            + Tables.fmt(atoms.minimumImageRadius(), "Å")
                            + " (half the smallest height of the cell over its periodic directions, within which the"
                            + " minimum image is exact) is less than 2 d, d = "
                            + Tables.fmt(atoms.shortestDistance(), "Å")
                            + " being the shortest distance between two atoms counting periodic images; give the"
                            + " term a cutoff (every image within it is then summed), or use a cell large enough"
                            + " for the minimum image (h at least 2 d, such as a supercell)"
                            + (atoms.size() == 1
                                    ? "; with one atom no cell is large enough (d is then the atom's distance to its"
                                            + " own image, at least 2 h): give a cutoff, or, for an isolated atom, write"
                                            + " the structure without periodicity (pbc=\"F F F\")"
                                    : ""));
            found = true;
        }
        return found;
    }

    /**
     * Refuses a structure with two atoms at the same place (closer than {@link #SAME_PLACE}) that a
     * pair term of the potential pairs: there the evaluation fails (the pair energy is infinite) or,
     * just apart, gives an energy out of all proportion. In a periodic cell the atoms' images count,
     * so two atoms on opposite faces of the cell are found too. The search uses the potential's cell
     * list, so a structure of many atoms costs in proportion to its atoms, not to its pairs.
     *
     * @param node the node the problem is reported at (the term's {@code reference} or {@code structure})
     * @param pairs the potential's pair terms
     * @param atoms a structure of the term
     * @param structure the structure as the user names it (a path, with the CSV line where there is one)
     * @param where the term in words ("term 'periclase'")
     * @return whether a problem was reported
     */
    boolean samePlace(Node node, List<JobFile.PairTermSpec> pairs, Atoms atoms, String structure, String where) {
        int[] pair;
        try {
            pair = AtomsTerms.potential(pairs, false).closePair(atoms, SAME_PLACE);
        } catch (IllegalArgumentException e) {
            return false; // a pair term the library refuses is reported where it is read
        }
        if (pair == null) {
            return false;
        }
        int i = pair[0];
        int j = pair[1];
        double[] a = atoms.position(i);
        double[] b = atoms.position(j);
        double direct = Math.sqrt(
                (b[0] - a[0]) * (b[0] - a[0]) + (b[1] - a[1]) * (b[1] - a[1]) + (b[2] - a[2]) * (b[2] - a[2]));
        r.problem(
                node,
                where + " structure " + structure + ": atoms " + (i + 1) + " (" + atoms.species(i) + ") and "
                        + (j + 1) + " (" + atoms.species(j) + "), counted from 1 in the file's order, are at the"
                        + " same place (" + Tables.fmt(atoms.distance(i, j), "Å") + " apart"
                        // close only through the cell's boundary: said, since their coordinates differ
                        + (direct >= SAME_PLACE ? " through the periodic cell's boundary" : "")
                        + "); a pair term of the potential pairs them, and its energy there is infinite or out of"
                        + " all proportion: atoms it pairs must be at least " + Tables.fmt(SAME_PLACE, "Å")
                        + " apart");
        return true;
    }

    /**
     * The structures a term's species are checked against, in words, for the messages: the species
     * {@link #present} in them, what a species missing from them {@link #lacking} reads like ("no
     * structure of data/ar2.csv has") and what one of theirs {@link #having} reads like ("structures
     * of data/ar2.csv have").
     *
     * @param present the species of the structures
     * @param lacking the structures that do not have a species, after "which"
     * @param having the structures that have a species, after "which"
     */
    record Species(Set<String> present, String lacking, String having) {}

    /**
     * Refuses each species of a pair term that no structure has: such a term never contributes, and
     * the fit would "converge" without moving it (a typo such as {@code Ox} for {@code O} drops the
     * term silently). A Coulomb term's charges must name only species of the structures, and give a
     * charge to each of them: the term needs the charge of every atom.
     *
     * @param items the potential's pair-term nodes
     * @param listed whether the potential is written as a list (its items are then numbered)
     * @param species the structures' species
     * @param where the potential's place in words ("term 'periclase' potential")
     * @return whether a problem was reported
     */
    boolean species(List<Node> items, boolean listed, Species species, String where) {
        Set<String> present = species.present();
        boolean found = false;
        String there = "; species there: " + String.join(", ", present);
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof Node.MapNode pm)) {
                continue;
            }
            String w = where + (listed ? "[" + i + "]" : "");
            if (pm.entries.get("charges") instanceof Node.MapNode cm) {
                for (String s : cm.entries.keySet()) {
                    if (!present.contains(s)) {
                        int[] place = cm.keyPlaces.get(s);
                        String sug = JobReading.suggest(s, present);
                        r.problem(
                                place[0],
                                place[1],
                                w + " gives a charge to species '" + s + "', which " + species.lacking()
                                        + (sug == null ? "" : " (did you mean '" + sug + "'?)") + there);
                        found = true;
                    }
                }
                for (String s : present) {
                    if (!cm.entries.isEmpty() && !cm.entries.containsKey(s)) {
                        r.problem(
                                cm,
                                w + " gives no charge to species '" + s + "', which " + species.having()
                                        + "; the Coulomb term needs the charge of every atom (charges given for "
                                        + String.join(", ", cm.entries.keySet()) + ")");
                        found = true;
                    }
                }
                continue;
            }
            if (pm.entries.get("species") instanceof Node.ListNode l) {
                for (Node sn : l.items) {
                    if (sn instanceof Node.Scalar sc
                            && sc.value instanceof String name
                            && !name.equals("*")
                            && !present.contains(name)) {
                        String sug = JobReading.suggest(name, present);
                        r.problem(
                                sn,
                                w + " names species '" + name + "', which " + species.lacking()
                                        + (sug == null ? "" : " (did you mean '" + sug + "'?)") + there);
                        found = true;
                    }
                }
            }
        }
        return found;
    }

    /**
     * Refuses formula units that do not divide the number of atoms of every species of a cell:
     * the properties per formula unit would be off by a fraction.
     *
     * @param node the {@code formula_units} node
     * @param formulaUnits its value
     * @param atoms the cell
     * @param structure the cell's file as the user names it
     * @param where the term in words ("term 'periclase'")
     */
    void formulaUnits(Node node, int formulaUnits, Atoms atoms, String structure, String where) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String s : atoms.speciesList()) {
            counts.merge(s, 1, Integer::sum);
        }
        int gcd = 0;
        for (int c : counts.values()) {
            gcd = gcd(gcd, c);
        }
        if (gcd % formulaUnits == 0) {
            return;
        }
        StringBuilder formula = new StringBuilder();
        counts.forEach((s, c) -> formula.append(s).append(c));
        List<String> divisors = new java.util.ArrayList<>();
        for (int d = 1; d <= gcd; d++) {
            if (gcd % d == 0) {
                divisors.add(Integer.toString(d));
            }
        }
        r.problem(
                node,
                where + " formula_units " + formulaUnits + " does not fit the cell of " + structure + ": it holds "
                        + formula + " (" + Tables.count(atoms.size(), "atom")
                        + "), and the atoms of each species must split evenly"
                        + " into the formula units; formula_units must be one of " + String.join(", ", divisors));
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private static String periodic(boolean[] pbc) {
        List<String> along = new java.util.ArrayList<>();
        String[] axes = {"a", "b", "c"};
        for (int i = 0; i < 3; i++) {
            if (pbc[i]) {
                along.add(axes[i]);
            }
        }
        return "periodic along " + String.join(", ", along) + (along.size() < 3 ? " only" : "");
    }
}
