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
import org.jspecify.annotations.Nullable;

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
                                + ", and a plain sum over periodic images does not converge; "
                                + (fully
                                        ? "use method: ewald (or method: dsf with alpha and a cutoff"
                                        : "use method: dsf with alpha and a cutoff (the Ewald sum needs a cell periodic"
                                                + " along all three vectors")
                                + ", or method: minimum_image for a cluster in a large box; a plain sum with a cutoff,"
                                + " allowed, converges poorly in an ionic crystal)");
                found = true;
            } else if (p.coulombMethod() == CoulombMethod.EWALD && !fully) {
                r.problem(
                        items.get(i),
                        w + ": the Ewald sum (method ewald) needs a cell periodic along all three vectors, but "
                                + structure + " is " + periodic(pbc)
                                + "; use method: dsf (with alpha and a cutoff), which sums the images along the cell's"
                                + " periodic vectors (a plain sum, method: direct with a cutoff, converges poorly in an"
                                + " ionic crystal)");
                found = true;
            }
        }
        return found;
    }

    /**
     * Refuses a short-range pair term (every form but Coulomb) without a cutoff in a periodic cell
     * where the minimum image cannot stand for the sum over images ({@code
     * PairPotential.minimumImageProblem}, the rule the evaluation applies), reported at the pair
     * term's line. Such a term sees each pair's nearest image only, which suits a cluster well
     * inside a box but gives a crystal's cell a wrong energy (a cell of one atom gets 0).
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
            String why = PairPotential.minimumImageProblem(atoms);
            if (why == null) {
                return false;
            }
            String w = where + (items.size() > 1 ? "[" + i + "]" : "");
            r.problem(
                    items.get(i),
                    w + ": a " + p.form().name().toLowerCase(Locale.ROOT) + " term without a cutoff is summed over"
                            + " each pair's minimum image only, which cannot stand for the sum over images in the"
                            + " periodic cell of " + structure + ": " + why
                            + "; give the term a cutoff (every image within it is then summed)");
            found = true;
        }
        return found;
    }

    /**
     * The most slabs of periodic images one atom's search may visit before a structure is refused:
     * what the library's neighbour search takes at most (its {@code Neighbours.MOST_IMAGE_SLABS}),
     * counted here as many or more, so that a structure the job reader lets through is never one
     * the evaluation fails on for it. 100 million slabs is a cutoff 232 times the cell's width in
     * every direction, which no structure needs; a cutoff of 850 Å (a digit too many) in a cell of
     * 5.26 Å comes to 34 million, slow rather than wrong, and is warned of instead.
     */
    static final double MOST_IMAGE_SLABS = 1e8;

    /**
     * Refuses a periodic cell so thin against the largest cutoff of the pair terms summed over its
     * images that each atom would meet millions of slabs of its own images: two vectors nearly
     * alike (a width of 1e-9 Å, whose search would never end) or a cell in another unit. Counted as
     * the evaluation's cell list counts them or more: {@code 2 ceil(r_c / w) + 1} slabs along a
     * periodic direction of width w (the distance between the cell's opposite faces) narrower than
     * half the cutoff, 5 along any other.
     *
     * @param node the node the problem is reported at (the term's {@code reference} or {@code structure})
     * @param pairs the potential's pair terms
     * @param atoms a structure of the term
     * @param structure the structure as the user names it (a path, with the CSV line where there is one)
     * @param where the term in words ("term 'periclase'")
     * @return whether a problem was reported
     */
    boolean tooThin(Node node, List<JobFile.PairTermSpec> pairs, Atoms atoms, String structure, String where) {
        double cutoff = cutoffOverImages(pairs);
        double[] width = widths(atoms);
        if (!(cutoff > 0) || width == null || !atoms.isPeriodic()) {
            return false;
        }
        boolean[] pbc = atoms.pbc();
        double slabs = 1;
        for (int a = 0; a < 3; a++) {
            // as the search counts them, or more: slabs half a cutoff wide at least, 2 each way of those,
            // and as many each way as the cutoff is wider than a cell narrower than half of it; at most
            // 2 each way along a direction that is not periodic
            slabs *= pbc[a] && width[a] < cutoff / 2 ? 2 * Math.ceil(cutoff / width[a]) + 1 : 5;
        }
        if (!(slabs > MOST_IMAGE_SLABS)) {
            return false;
        }
        r.problem(
                node,
                where + " structure " + structure + ": the periodic cell is too thin for the pair terms' cutoff of "
                        + Tables.fmt(cutoff, "Å") + ": the distances between its opposite faces are "
                        + widthsSaid(atoms)
                        + ", so each atom would meet " + String.format(Locale.ROOT, "%.3g", slabs)
                        + " slabs of its own images (more than " + String.format(Locale.ROOT, "%,.0f", MOST_IMAGE_SLABS)
                        + " are refused)" + THIN_CELL_ADVICE);
        return true;
    }

    /** What a cell of nearly no width is told. */
    private static final String THIN_CELL_ADVICE =
            "; are the cell's vectors right (two of them nearly alike make a cell of nearly no width) and in Å?";

    /**
     * @return the distances between the cell's opposite faces, in Å, in the order of its vectors (the
     *     first the distance along which the second and third span a face); null without a cell
     */
    private static double @Nullable [] widths(Atoms atoms) {
        double[][] cell = atoms.cell();
        if (cell == null) {
            return null;
        }
        double volume = atoms.volume();
        double[] width = new double[3];
        for (int a = 0; a < 3; a++) {
            double[] u = cell[(a + 1) % 3];
            double[] v = cell[(a + 2) % 3];
            double cx = u[1] * v[2] - u[2] * v[1];
            double cy = u[2] * v[0] - u[0] * v[2];
            double cz = u[0] * v[1] - u[1] * v[0];
            width[a] = volume / Math.sqrt(cx * cx + cy * cy + cz * cz);
        }
        return width;
    }

    /** @return the cell's widths in words: "1e-09 Å, 1e-09 Å and 4 Å" */
    private static String widthsSaid(Atoms atoms) {
        double[] w = widths(atoms);
        return w == null
                ? "unknown (no cell)"
                : Tables.fmt(w[0], "Å") + ", " + Tables.fmt(w[1], "Å") + " and " + Tables.fmt(w[2], "Å");
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
        org.chemfit.atoms.PairPotential potential;
        try {
            potential = AtomsTerms.potential(pairs, false);
        } catch (IllegalArgumentException e) {
            return false; // a pair term the library refuses is reported where it is read
        }
        int[] pair;
        try {
            pair = potential.closePair(atoms, SAME_PLACE);
        } catch (IllegalArgumentException e) {
            // a cell too thin for even this search (which tooThin did not look at: no pair term summed over images)
            r.problem(
                    node,
                    where + " structure " + structure + ": the periodic cell is too thin to be searched for atoms at"
                            + " the same place: the distances between its opposite faces are " + widthsSaid(atoms)
                            + THIN_CELL_ADVICE);
            return true;
        }
        if (pair == null) {
            return false;
        }
        int i = pair[0];
        int j = pair[1];
        if (i == j) {
            r.problem(
                    node,
                    where + " structure " + structure + ": atom " + (i + 1) + " (" + atoms.species(i) + "), counted"
                            + " from 1 in the file's order, is at the same place as its own periodic image (less than "
                            + Tables.fmt(SAME_PLACE, "Å") + " apart): a vector of the cell's lattice is that short;"
                            + " are the cell's vectors right (two of them nearly alike?) and in Å?");
            return true;
        }
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
     * The most atoms and periodic images an atom may meet within the largest cutoff of a pair term
     * that is summed over images, estimated from the cell's number density: (N/V) (4/3) π r_c³.
     * Condensed matter in Å is never denser than about 0.18 atoms/Å³ (diamond: 8 atoms in
     * (3.567 Å)³ = 45.4 Å³, 0.176 Å⁻³; MgO 0.107, copper 0.085, water 0.100), so that within a cutoff
     * of 12 Å (7238 Å³) an atom meets at most about 1300 others, within 30 Å about 20 000, and within
     * 64 Å, farther than any pair term reaches, 193 000 in diamond. A structure written in nm
     * instead of Å is 1000 times denser: rock-salt MgO in nm (edge 0.42112) meets some 775 000
     * images within 12 Å, and its single energy, a pair sum over millions of images, takes seconds.
     */
    static final double MOST_IMAGES = 200_000;

    /**
     * The images per atom from which a structure in Å is warned of ({@link #warnManyImages}): ten
     * times {@link #MOST_IMAGES}, a cutoff of about 165 Å in MgO, which no pair potential needs;
     * each energy of a cell of 8 atoms is then a sum over some 16 million pairs.
     */
    static final double MANY_IMAGES = 2_000_000;

    /**
     * A number density no structure in Å reaches, more than five times diamond's 0.176 atoms/Å³:
     * a cell that is also this dense is taken for one in another unit (rock-salt MgO in nm: 107
     * atoms/Å³). A structure in Å with a long cutoff (diamond with 66 Å: some 212,000 images) is
     * slow, not wrong, and is not refused.
     */
    static final double MOST_DENSITY = 1.0;

    /**
     * Refuses a structure denser than {@link #MOST_DENSITY} whose atoms would each meet more than
     * {@link #MOST_IMAGES} atoms and periodic images within the largest cutoff of a pair term
     * summed over images (the Ewald sum,
     * whose real-space cutoff follows the cell, and a sum over each pair's minimum image do not
     * count): no structure in Å comes near, and one that does is in another unit (nm) and would
     * make every energy take seconds and a fit hours. Only cells periodic along their three vectors
     * are judged (an estimate from the number density needs the volume).
     *
     * @param node the node the problem is reported at (the term's {@code reference} or {@code structure})
     * @param pairs the potential's pair terms
     * @param atoms a structure of the term
     * @param structure the structure as the user names it (a path, with the CSV line where there is one)
     * @param where the term in words ("term 'periclase'")
     * @return whether a problem was reported
     */
    boolean tooManyImages(Node node, List<JobFile.PairTermSpec> pairs, Atoms atoms, String structure, String where) {
        double images = imagesPerAtom(pairs, atoms);
        double cutoff = cutoffOverImages(pairs);
        double density = images == 0 ? 0 : atoms.size() / atoms.volume();
        if (!(images > MOST_IMAGES) || !(density > MOST_DENSITY)) {
            return false;
        }
        r.problem(
                node,
                where + " structure " + structure + ": its atoms are " + Tables.fmt(atoms.shortestDistance(), "Å")
                        + " apart at the shortest, and each would meet about "
                        + String.format(Locale.ROOT, "%,.0f", images) + " atoms and periodic images within the"
                        + " pair terms' cutoff of " + Tables.fmt(cutoff, "Å") + " (" + Tables.fmt(density, "atoms/Å³")
                        + "): is the structure in angstrom (one written in nm is 1000 times denser)? A solid in Å has"
                        + " at most about 0.18 atoms/Å³, some 1300 within 12 Å; more than "
                        + String.format(Locale.ROOT, "%,.0f", MOST_IMAGES) + " are refused, since every energy would"
                        + " be a pair sum over millions of images and take seconds");
        return true;
    }

    /** @return the largest cutoff of the pair terms summed over periodic images, in Å; 0 when none is */
    private static double cutoffOverImages(List<JobFile.PairTermSpec> pairs) {
        double cutoff = 0;
        for (JobFile.PairTermSpec p : pairs) {
            boolean overImages = p.form() != JobFile.PairForm.COULOMB
                    || p.coulombMethod() != CoulombMethod.EWALD && p.coulombMethod() != CoulombMethod.MINIMUM_IMAGE;
            if (overImages && Double.isFinite(p.cutoff())) {
                cutoff = Math.max(cutoff, p.cutoff());
            }
        }
        return cutoff;
    }

    /**
     * @return about how many atoms and periodic images an atom meets within the largest cutoff of
     *     the pair terms summed over images, from the number density: (N/V) (4/3) π r_c³; 0 for a
     *     structure not periodic along its three vectors, whose pairs are its atoms' alone
     */
    private static double imagesPerAtom(List<JobFile.PairTermSpec> pairs, Atoms atoms) {
        boolean[] pbc = atoms.pbc();
        if (!(pbc[0] && pbc[1] && pbc[2]) || atoms.size() == 0) {
            return 0;
        }
        double cutoff = cutoffOverImages(pairs);
        return atoms.size() / atoms.volume() * 4.0 / 3.0 * Math.PI * cutoff * cutoff * cutoff;
    }

    /**
     * Warns of structures whose atoms would each meet more than {@link #MANY_IMAGES} atoms and
     * periodic images within the cutoff (a cutoff of hundreds of Å, a digit too many or one meant
     * in pm): not refused, since such a structure in Å is slow rather than wrong, but every energy
     * is then a pair sum over millions of images. One warning per term, naming the first structures.
     *
     * @param pairs the potential's pair terms
     * @param structures each structure, by its name in words
     * @param of the structures in words, after a count ("structures of data/e.csv")
     * @param where the term in words ("term 'curve'")
     * @return the structures warned of, whose pairs at the cutoff are not looked for: that walk would
     *     take as long as an energy, many seconds
     */
    java.util.Set<String> warnManyImages(
            List<JobFile.PairTermSpec> pairs, Map<String, Atoms> structures, String of, String where) {
        java.util.Set<String> many = new java.util.LinkedHashSet<>();
        List<String> said = new java.util.ArrayList<>();
        for (Map.Entry<String, Atoms> e : structures.entrySet()) {
            double images = imagesPerAtom(pairs, e.getValue());
            if (images > MANY_IMAGES) {
                many.add(e.getKey());
                said.add(e.getKey() + " about " + String.format(Locale.ROOT, "%,.0f", images) + " per atom");
            }
        }
        if (!many.isEmpty()) {
            r.warnings.add(where + " potential: the pair terms' cutoff of " + Tables.fmt(cutoffOverImages(pairs), "Å")
                    + " reaches very many atoms and periodic images: " + among(said, structures.size(), of)
                    + "; every energy is a pair sum over all of them and may take seconds or minutes (more than "
                    + String.format(Locale.ROOT, "%,.0f", MANY_IMAGES) + " per atom is unusual: within 12 Å an atom"
                    + " of a solid meets about 1300); is the cutoff in Å? Pairs at the cutoff are not looked for in"
                    + (many.size() == 1 ? " this structure" : " these structures"));
        }
        return many;
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

    /**
     * Atoms closer than this, in Å, that a pair term pairs are warned of: no bond is this short,
     * and a structure written in nm (or bohr read as Å) puts its atoms this close.
     */
    static final double CLOSE = 0.5;

    /**
     * A pair of atoms this close to a term's cutoff, in Å, is at it: coordinates written with four
     * or more decimals, or computed from a cell and fractions, put a pair on a neighbour shell within
     * this of the shell's distance, on either side.
     */
    static final double AT_CUTOFF = 1e-4;

    /** A net charge smaller than this, in e, relative to the sum of the charges' magnitudes (at least 1), is zero. */
    static final double NEUTRAL = 1e-6;

    /** How many structures a warning names before it counts the rest. */
    private static final int NAMED = 3;

    /**
     * Warns of each species of a structure that no pair term of the potential pairs with any
     * species of that structure (a Kr atom where the only term is Ar-Ar): its atoms add nothing to
     * the energy, which is seldom meant. One warning per species, naming the first structures that
     * have it and counting them.
     *
     * @param pairs the potential's pair terms
     * @param structures each structure, by its name in words
     * @param of the structures in words, after a count ("structures of data/e.csv")
     * @param where the term in words ("term 'mix'")
     */
    void warnUnpaired(List<JobFile.PairTermSpec> pairs, Map<String, Atoms> structures, String of, String where) {
        Map<String, List<String>> unpaired = new TreeMap<>();
        for (Map.Entry<String, Atoms> e : structures.entrySet()) {
            Map<String, Integer> counts = new TreeMap<>();
            for (String sp : e.getValue().speciesList()) {
                counts.merge(sp, 1, Integer::sum);
            }
            for (String sp : counts.keySet()) {
                boolean paired = false;
                for (String other : counts.keySet()) {
                    for (JobFile.PairTermSpec p : pairs) {
                        paired |= pairs(p, sp, other);
                    }
                }
                if (!paired) {
                    unpaired.computeIfAbsent(sp, k -> new java.util.ArrayList<>())
                            .add(e.getKey() + ", " + Tables.count(counts.get(sp), sp + " atom"));
                }
            }
        }
        List<String> terms = new java.util.ArrayList<>();
        for (JobFile.PairTermSpec p : pairs) {
            terms.add(
                    p.form() == JobFile.PairForm.COULOMB
                            ? "coulomb for " + String.join(", ", p.parameters().keySet())
                            : JobKeys.word(p.form()) + " for " + p.speciesA() + "-" + p.speciesB());
        }
        unpaired.forEach((sp, in) -> r.warnings.add(where + ": no pair term of the potential pairs species '" + sp
                + "' with a species of its structure, so its atoms add nothing to the energy, in "
                + among(in, structures.size(), of) + "; the pair terms: " + String.join("; ", terms)
                + "; add a pair term for " + sp
                + " (species: [" + sp + ", '*'], say) or check the spelling of the species"));
    }

    /**
     * Warns of structures whose charges, at the initial parameters, do not add up to zero when the
     * potential has a Coulomb term: a charge whose sign was left out ({@code Cl: q} for
     * {@code -1*q}) is the usual cause. Says the net charge in e, and what the sum does with it: the
     * Ewald sum puts a periodic cell in a uniform neutralising background; the other methods add
     * none.
     *
     * @param pairs the potential's pair terms
     * @param listed whether the potential is a list (its items are then numbered)
     * @param structures each structure, by its name in words
     * @param initial the parameters' initial values by name
     * @param of the structures in words, after a count ("structures of data/e.csv")
     * @param where the term in words ("term 'nacl'")
     */
    void warnNetCharge(
            List<JobFile.PairTermSpec> pairs,
            boolean listed,
            Map<String, Atoms> structures,
            Map<String, Double> initial,
            String of,
            String where) {
        for (int t = 0; t < pairs.size(); t++) {
            JobFile.PairTermSpec p = pairs.get(t);
            if (p.form() != JobFile.PairForm.COULOMB) {
                continue;
            }
            Map<String, Double> charges = new java.util.LinkedHashMap<>();
            p.parameters().forEach((sp, ref) -> {
                Double v = ref.name() == null ? Double.valueOf(1) : initial.get(ref.name());
                if (v != null) {
                    charges.put(sp, ref.factor() * v);
                }
            });
            List<String> charged = new java.util.ArrayList<>();
            boolean periodic = false;
            for (Map.Entry<String, Atoms> e : structures.entrySet()) {
                double net = 0;
                double magnitude = 0;
                boolean known = true;
                for (String sp : e.getValue().speciesList()) {
                    Double q = charges.get(sp);
                    known &= q != null;
                    net += q == null ? 0 : q;
                    magnitude += q == null ? 0 : Math.abs(q);
                }
                if (known && Math.abs(net) > NEUTRAL * Math.max(1, magnitude)) {
                    charged.add(e.getKey() + " (" + (e.getValue().isPeriodic() ? "a periodic cell" : "no periodic cell")
                            + "): net charge " + Tables.fmt(net, "e"));
                    periodic |= e.getValue().isPeriodic();
                }
            }
            if (charged.isEmpty()) {
                continue;
            }
            List<String> given = new java.util.ArrayList<>();
            charges.forEach((sp, q) -> given.add(sp + ": " + Tables.fmt(q, "e")));
            String method = JobKeys.word(p.coulombMethod());
            String sum = !periodic
                    ? " (A charged molecule or cluster, an ion, may be meant.)"
                    : p.coulombMethod() == CoulombMethod.EWALD
                            ? " In a periodic cell the Ewald sum assumes a uniform neutralising background (the energy"
                                    + " -k pi Q^2 / (2 V alpha^2)), which a charged crystal seldom means."
                            : " Method " + method + " assumes no neutralising background in a periodic cell (only"
                                    + " method: ewald does): the energy is that of a charged lattice.";
            r.warnings.add(where + ": the charges of the Coulomb term potential" + (listed ? "[" + t + "]" : "")
                    + " at the initial parameters (" + String.join(", ", given) + ") do not add up to zero in "
                    + among(charged, structures.size(), of) + ". Is a charge's sign left out (-1*q for q)?" + sum);
        }
    }

    /**
     * Warns of structures with two atoms closer than {@link #CLOSE} (over periodic images) that a
     * pair term pairs, but not at the same place ({@link #samePlace} refuses those): the structure
     * is likely in another unit than Å. One warning per term, naming the first structures.
     *
     * @param pairs the potential's pair terms
     * @param structures each structure, by its name in words
     * @param of the structures in words, after a count ("structures of data/e.csv")
     * @param where the term in words ("term 'curve'")
     */
    void warnCloseAtoms(List<JobFile.PairTermSpec> pairs, Map<String, Atoms> structures, String of, String where) {
        org.chemfit.atoms.PairPotential potential;
        try {
            potential = AtomsTerms.potential(pairs, false);
        } catch (IllegalArgumentException e) {
            return; // a pair term the library refuses is reported where it is read
        }
        List<String> close = new java.util.ArrayList<>();
        for (Map.Entry<String, Atoms> e : structures.entrySet()) {
            Atoms atoms = e.getValue();
            int[] pair;
            try {
                pair = potential.closePair(atoms, CLOSE);
            } catch (IllegalArgumentException thin) {
                continue; // a cell too thin to search, which the evaluation fails with
            }
            if (pair == null || pair[0] != pair[1] && atoms.distance(pair[0], pair[1]) < SAME_PLACE) {
                continue;
            }
            close.add(
                    pair[0] == pair[1]
                            ? "atom " + (pair[0] + 1) + " (" + atoms.species(pair[0]) + ") of " + e.getKey()
                                    + " is less than " + Tables.fmt(CLOSE, "Å") + " from its own periodic image (a"
                                    + " vector of the cell's lattice is that short)"
                            : "atoms " + (pair[0] + 1) + " (" + atoms.species(pair[0]) + ") and " + (pair[1] + 1)
                                    + " (" + atoms.species(pair[1]) + ") of " + e.getKey() + " are "
                                    + Tables.fmt(atoms.distance(pair[0], pair[1]), "Å") + " apart");
        }
        if (close.isEmpty()) {
            return;
        }
        r.warnings.add(where + ": " + named(close) + ": is the structure in angstrom? A pair term of the potential"
                + " pairs them, and no bond is shorter than " + Tables.fmt(CLOSE, "Å") + " (atoms counted from 1 in"
                + " the file's order"
                + (structures.size() == 1 ? "" : "; in " + close.size() + " of the " + structures.size() + " " + of)
                + ")");
    }

    /**
     * Warns of structures with pairs of atoms within {@link #AT_CUTOFF} of the cutoff of a pair term
     * that pairs them ({@link org.chemfit.atoms.PairPotential#pairsAtCutoff}): whether they count
     * depends on the last digits of the coordinates, so the energy may differ by a whole neighbour
     * shell from another code's. The structures are looked at as given (a lattice constant or a
     * relaxation that moves a shell across the cutoff during the fit is not foreseen). One warning
     * per term, naming the first structures.
     *
     * @param pairs the potential's pair terms
     * @param listed whether the potential is a list (its terms are then named by their place)
     * @param structures each structure, by its name in words
     * @param notLooked the structures not looked at (warned of for their many images), still counted
     * @param of the structures in words, after a count ("structures of data/e.csv")
     * @param where the term in words ("term 'curve'")
     */
    void warnPairsAtCutoff(
            List<JobFile.PairTermSpec> pairs,
            boolean listed,
            Map<String, Atoms> structures,
            java.util.Set<String> notLooked,
            String of,
            String where) {
        org.chemfit.atoms.PairPotential potential;
        try {
            potential = AtomsTerms.potential(pairs, false);
        } catch (IllegalArgumentException e) {
            return; // a pair term the library refuses is reported where it is read
        }
        Map<Integer, List<String>> byTerm = new TreeMap<>();
        for (Map.Entry<String, Atoms> e : structures.entrySet()) {
            if (notLooked.contains(e.getKey())) {
                continue;
            }
            Atoms atoms = e.getValue();
            List<org.chemfit.atoms.PairPotential.AtCutoff> found;
            try {
                found = potential.pairsAtCutoff(atoms, AT_CUTOFF);
            } catch (IllegalArgumentException thin) {
                continue; // a cell too thin to search, which the evaluation fails with
            }
            for (org.chemfit.atoms.PairPotential.AtCutoff at : found) {
                String pair = at.i() == at.j()
                        ? "atom " + (at.i() + 1) + " (" + atoms.species(at.i()) + ") and its own periodic image"
                        : "atoms " + (at.i() + 1) + " (" + atoms.species(at.i()) + ") and " + (at.j() + 1) + " ("
                                + atoms.species(at.j()) + ")";
                double off = at.distance() - at.cutoff();
                String side = off == 0
                        ? "exactly at it, so not counted"
                        : Tables.fmt(Math.abs(off), "Å")
                                + (off < 0 ? " below it, so counted" : " beyond it, so not counted");
                byTerm.computeIfAbsent(at.term(), k -> new java.util.ArrayList<>())
                        .add(e.getKey() + " has " + at.pairs() + (at.pairs() == 1 ? " pair" : " pairs")
                                + " there (the first: " + pair + ", " + side + ")");
            }
        }
        byTerm.forEach((t, said) -> r.warnings.add(where + " potential" + (listed ? "[" + t + "]" : "")
                + ": pairs of atoms lie at its cutoff of "
                + Tables.fmt(pairs.get(t).cutoff(), "Å")
                + " (within " + Tables.fmt(AT_CUTOFF, "Å") + "): " + among(said, structures.size(), of)
                + "; a pair counts only below the cutoff, so whether these count depends on the last digits of the"
                + " coordinates, and the energy may differ from another code's by a whole neighbour shell; put the"
                + " cutoff between two neighbour shells (atoms counted from 1 in the file's order)"));
    }

    /** @return whether the pair term acts between atoms of these two species */
    private static boolean pairs(JobFile.PairTermSpec p, String a, String b) {
        if (p.form() == JobFile.PairForm.COULOMB) {
            return p.parameters().containsKey(a) && p.parameters().containsKey(b);
        }
        return matches(p.speciesA(), a) && matches(p.speciesB(), b)
                || matches(p.speciesA(), b) && matches(p.speciesB(), a);
    }

    private static boolean matches(String species, String s) {
        return species.equals("*") || species.equals(s);
    }

    /**
     * @param items what is said of some of the structures, each beginning with its name
     * @param total how many structures there are
     * @param of the structures in words ("structures of data/e.csv")
     * @return the one item when there is one structure, else how many of them, then the first items
     */
    private static String among(List<String> items, int total, String of) {
        return total == 1 ? items.get(0) : items.size() + " of the " + total + " " + of + ": " + named(items);
    }

    /** @return the first {@link #NAMED} items, then how many more */
    private static String named(List<String> items) {
        return String.join("; ", items.subList(0, Math.min(NAMED, items.size())))
                + (items.size() > NAMED ? "; and " + (items.size() - NAMED) + " more" : "");
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
