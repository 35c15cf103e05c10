package org.chemfit.atoms;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.chemfit.Parameters;
import org.hipparchus.special.Erf;
import org.jspecify.annotations.Nullable;

/**
 * A sum of pair terms, each bound to a pair of species and to parameter names: Lennard-Jones,
 * Morse, Buckingham and Coulomb. Units are eV, Å and the elementary charge e.
 *
 * <table>
 *   <caption>Pair terms (r: distance; every term may have a cutoff r_c, and may be shifted by -E(r_c))</caption>
 *   <tr><th>term</th><th>E(r)</th></tr>
 *   <tr><td>Lennard-Jones</td><td>4 ε [(σ/r)^12 - (σ/r)^6]</td></tr>
 *   <tr><td>Morse</td><td>D [e^(-2α(r-r0)) - 2 e^(-α(r-r0))]</td></tr>
 *   <tr><td>Buckingham</td><td>A e^(-r/ρ) - C / r^6</td></tr>
 *   <tr><td>Coulomb</td><td>k q_i q_j / r, k = 14.3996454784 eV Å / e² (from the CODATA 2018 values of
 *       e and ε0: k = e / (4π ε0 · 1 Å) in eV·Å)</td></tr>
 *   <tr><td>Coulomb, damped shifted force</td><td>k q_i q_j [erfc(αr)/r - erfc(αr_c)/r_c
 *       + (erfc(αr_c)/r_c² + 2α/√π e^(-α²r_c²)/r_c)(r - r_c)] for r &lt; r_c, plus the self energy
 *       -k q_i² (erfc(αr_c)/r_c + α/√π e^(-α²r_c²) + α/√π) of each atom, as LAMMPS's coul/dsf</td></tr>
 * </table>
 *
 * <pre>{@code
 * // rigid TIP3P-form water: O-O Lennard-Jones, charges qH and -2 qH, intermolecular pairs only
 * PairPotential water = PairPotential.builder()
 *         .lennardJones("O", "O", "epsilon", "sigma")
 *         .coulomb(Map.of("H", ParameterRef.of("qH"), "O", ParameterRef.scaled("qH", -2)), CoulombMethod.MINIMUM_IMAGE, 0)
 *         .excludeIntramolecular()
 *         .build();
 * double e = water.energy(dimer.withConsecutiveMolecules(3), params);
 * }</pre>
 *
 * <p>Species {@code "*"} matches every species. Each pair of atoms counts once. In a periodic cell
 * a term with a cutoff sums over every image within it, found with a cell list (so the cost per
 * atom does not grow with the cell, and a cutoff longer than half the cell is fine); a term
 * without cutoff sees each pair's minimum image only. That suits a cluster in a large box, not a
 * crystal, so a short-range term (Lennard-Jones, Morse, Buckingham) without cutoff is refused in
 * a periodic cell where the minimum image cannot stand for the sum over images: where h, half
 * the smallest height of the cell over its periodic directions (the radius within which the
 * minimum image is exact), is less than twice d, the shortest distance between two atoms counting
 * periodic images (see {@link #minimumImageSuffices(Atoms)}); a one-atom or a conventional
 * four-atom fcc cell is refused, a 4 × 4 × 4 supercell of it or a molecule in a 20 Å box is not.
 * Give such a term a cutoff to sum every image within it. Coulomb in a periodic cell is summed as
 * its {@link CoulombMethod} says: the Ewald sum (with a neutralising background for a charged
 * cell), the damped shifted force sum within a cutoff, the minimum image (a cluster in a large
 * box), or directly within a cutoff; plain Coulomb without cutoff is refused there, since the
 * sum over images does not converge. With
 * {@link Builder#excludeIntramolecular()} pairs of atoms with the same molecule index are left
 * out (in a periodic cell, the pair's nearest image; the Ewald sum also removes their
 * reciprocal-space share). {@link #energyForcesStress} gives the stress of a periodic cell.
 *
 * <p>The Ewald tolerance δ sets p = √(-ln δ), the splitting parameter α = √π (N/V²)^(1/6), the
 * real-space cutoff p/α and the reciprocal-space cutoff 2αp; the first neglected terms of each
 * sum are below δ relative to the leading ones. A cell whose charges do not add to zero gets the
 * energy -k π Q² / (2 V α²) of a uniform neutralising background.
 *
 * @implNote Immutable and thread-safe; each call binds the parameters into local objects.
 */
public final class PairPotential implements Potential {

    /** The Coulomb constant e²/(4π ε0) in eV·Å/e² (CODATA 2018). */
    static final double COULOMB_CONSTANT = 14.3996454784;

    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    private final List<Term> terms;
    private final boolean excludeIntramolecular;

    private PairPotential(List<Term> terms, boolean excludeIntramolecular) {
        this.terms = List.copyOf(terms);
        this.excludeIntramolecular = excludeIntramolecular;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Set<String> parameterNames() {
        Set<String> s = new LinkedHashSet<>();
        for (Term t : terms) {
            for (ParameterRef r : t.refs()) {
                if (!r.isConstant()) {
                    s.add(r.name());
                }
            }
        }
        return s;
    }

    @Override
    public double energyAndForces(Atoms atoms, Parameters params, double @Nullable [] forces) {
        return compute(atoms, params, forces, null);
    }

    @Override
    public double energyForcesStress(Atoms atoms, Parameters params, double @Nullable [] forces, double[] stress) {
        if (stress == null || stress.length != 9) {
            throw new IllegalArgumentException("the stress array must have 9 entries (a 3x3 matrix by rows), got "
                    + (stress == null ? "null" : stress.length));
        }
        if (!atoms.hasCell() || !(atoms.pbc()[0] && atoms.pbc()[1] && atoms.pbc()[2])) {
            throw new IllegalArgumentException(
                    "the stress needs a cell periodic along all three vectors; " + atoms + " is not");
        }
        double[] virial = new double[9];
        double e = compute(atoms, params, forces, virial);
        double v = atoms.volume();
        for (int a = 0; a < 9; a++) {
            stress[a] = virial[a] / v;
        }
        return e;
    }

    /**
     * Finds two atoms closer than a distance that a term of this potential pairs. At the same place
     * the evaluation refuses the structure (the pair energy is infinite), and just apart the energy
     * is out of all proportion, so a job can refuse such a structure before it is evaluated. The
     * search uses the evaluation's cell list: its cost grows with the number of atoms, not with the
     * number of pairs. In a periodic cell every image counts, so two atoms on opposite faces of the
     * cell are found too, and so is an atom closer than the distance to its own image (a lattice
     * vector that short: a cell in nm read as Å, or two vectors nearly alike), returned as {@code
     * {i, i}}. A pair within one molecule counts whether or not the potential leaves such pairs out.
     *
     * <pre>{@code
     * int[] pair = potential.closePair(atoms, 1e-3);   // null, or {i, j} with i <= j
     * }</pre>
     *
     * @param atoms the structure
     * @param distance the distance in Å, positive and finite
     * @return the 0-based indices {@code {i, j}}, {@code i <= j} ({@code i == j}: an atom and its
     *     own image), of such a pair: the closest one,
     *     over periodic images (of pairs equally close, the one with the smallest i, then the
     *     smallest j), or null when there is none
     * @throws IllegalArgumentException when the distance is not positive and finite
     * @throws org.chemfit.EvaluationCancelledException when the thread is interrupted during the
     *     search (the interrupt flag stays set)
     */
    public int @Nullable [] closePair(Atoms atoms, double distance) {
        if (!(distance > 0) || !Double.isFinite(distance)) {
            throw new IllegalArgumentException("the distance must be positive and finite, got " + distance);
        }
        String[] species = atoms.speciesArray();
        int[] best = {-1, -1};
        double[] bestR2 = {Double.POSITIVE_INFINITY};
        Neighbours.forEach(atoms, distance, (i, j, dx, dy, dz, r2) -> {
            if (r2 > bestR2[0] || r2 == bestR2[0] && (i > best[0] || i == best[0] && j > best[1])) {
                return; // a pair no closer than the one found
            }
            for (Term t : terms) {
                if (t.applies(species[i], species[j])) {
                    best[0] = i;
                    best[1] = j;
                    bestR2[0] = r2;
                    return;
                }
            }
        });
        return best[0] < 0 ? null : best;
    }

    /**
     * Pairs of atoms that a term with a cutoff pairs at about its cutoff: whether such a pair counts
     * (a pair at or beyond the cutoff does not) then depends on the last digits of the coordinates,
     * so two files of the same crystal may give energies a whole neighbour shell apart. A cutoff on
     * a neighbour shell of a lattice is the usual cause. Terms whose energy vanishes at the cutoff
     * (shifted ones, and the damped shifted force Coulomb sum) are left out, since a pair there
     * changes the energy by next to nothing. Periodic images count, as in the evaluation; pairs
     * within a molecule count whether or not the potential leaves them out. One pass of the
     * evaluation's cell list looks at every term.
     *
     * <pre>{@code
     * List<PairPotential.AtCutoff> at = potential.pairsAtCutoff(atoms, 1e-4);   // empty when none
     * }</pre>
     *
     * @param atoms the structure
     * @param within how far from the cutoff a distance counts as at it, in Å, positive and finite
     * @return for each term with such pairs, in the potential's order, how many pairs it has at its
     *     cutoff and the first of them (the smallest i, then the smallest j)
     * @throws IllegalArgumentException when {@code within} is not positive and finite
     */
    public List<AtCutoff> pairsAtCutoff(Atoms atoms, double within) {
        if (!(within > 0) || !Double.isFinite(within)) {
            throw new IllegalArgumentException("the distance must be positive and finite, got " + within);
        }
        String[] species = atoms.speciesArray();
        List<Integer> looked = new ArrayList<>();
        double reach = 0;
        for (int t = 0; t < terms.size(); t++) {
            Term term = terms.get(t);
            if (Double.isFinite(term.cutoff)
                    && !term.shifted
                    && !(term instanceof Coulomb c && c.method == CoulombMethod.DSF)) {
                looked.add(t);
                reach = Math.max(reach, term.cutoff + within);
            }
        }
        if (looked.isEmpty()) {
            return List.of();
        }
        int n = looked.size();
        int[] count = new int[n];
        int[] firstI = new int[n];
        int[] firstJ = new int[n];
        double[] at = new double[n];
        Neighbours.forEach(atoms, reach, (i, j, dx, dy, dz, r2) -> {
            double r = Math.sqrt(r2);
            for (int k = 0; k < n; k++) {
                Term term = terms.get(looked.get(k));
                if (Math.abs(r - term.cutoff) > within || !term.applies(species[i], species[j])) {
                    continue;
                }
                if (count[k]++ == 0 || i < firstI[k] || i == firstI[k] && j < firstJ[k]) {
                    firstI[k] = i;
                    firstJ[k] = j;
                    at[k] = r;
                }
            }
        });
        List<AtCutoff> found = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            if (count[k] > 0) {
                int t = looked.get(k);
                found.add(new AtCutoff(t, terms.get(t).cutoff, count[k], firstI[k], firstJ[k], at[k]));
            }
        }
        return List.copyOf(found);
    }

    /**
     * Pairs of atoms at about a term's cutoff ({@link #pairsAtCutoff}).
     *
     * @param term the term's place in the potential, from 0
     * @param cutoff the term's cutoff, in Å
     * @param pairs how many pairs (periodic images counted apart) lie at about it
     * @param i the first such pair's first atom, from 0
     * @param j its second atom, from 0 ({@code i <= j}; equal for an atom and its own image)
     * @param distance its distance, in Å
     */
    public record AtCutoff(int term, double cutoff, int pairs, int i, int j, double distance) {}

    /**
     * Whether a short-range term without cutoff (Lennard-Jones, Morse, Buckingham) may be summed
     * over each pair's minimum image in this structure, as it is: that suits a cluster or a
     * molecule well inside a periodic box, not a crystal. True without periodicity; in a periodic
     * cell of two atoms or more when every image the minimum image leaves out lies at least twice
     * d away, d being the {@linkplain Atoms#shortestDistance() shortest distance} between two
     * atoms counting periodic images: those images lie no nearer than 2h - r, h being {@linkplain
     * Atoms#minimumImageRadius() half the smallest height of the cell} over its periodic
     * directions and r the longest distance between two atoms, so the rule is r ≤ 2h - 2d; and for
     * one atom when h is at least {@value #ISOLATED_ATOM_RADIUS} Å (an isolated atom in a box: no
     * crystal has a cell of one atom that high). Elsewhere such a term is refused when evaluated.
     * The geometries of a relaxation are judged as the structure it started from, so a structure
     * accepted at the start is not refused at one of its steps.
     *
     * <p>So a conventional fcc cell is refused (d 3.75 Å, 2h - r about 1.6 Å), and a dimer 6 Å
     * apart in a 20 Å box is not (2h - r = 14 Å, 2d = 12 Å).
     *
     * @param atoms the structure
     * @return whether the minimum image stands for the sum over images, as above
     */
    static boolean minimumImageSuffices(Atoms atoms) {
        if (!atoms.isPeriodic() || atoms.size() == 0) {
            return true;
        }
        double h = atoms.minimumImageRadius();
        if (atoms.size() == 1) {
            return h >= ISOLATED_ATOM_RADIUS;
        }
        return atoms.longestPairDistance() <= 2 * h - 2 * atoms.shortestDistance();
    }

    /** The half height of a one-atom cell from which the atom is taken for an isolated one, in Å. */
    static final double ISOLATED_ATOM_RADIUS = 5.0;

    /**
     * Why a short-range term without cutoff cannot be summed over the minimum image in this
     * structure, or null when it can: see {@link #minimumImageSuffices}, the rule the evaluation
     * applies (the job reader asks before anything runs).
     *
     * <pre>{@code
     * String why = PairPotential.minimumImageProblem(fccConventionalCell);   // "the images it leaves out ..."
     * }</pre>
     *
     * @param atoms the structure
     * @return the reason, in words with the distances, or null
     */
    public static @Nullable String minimumImageProblem(Atoms atoms) {
        return minimumImageSuffices(atoms) ? null : minimumImageReason(atoms);
    }

    /**
     * Refuses a relaxed structure in which a short-range term without cutoff could not be summed
     * over the minimum image ({@link #minimumImageSuffices}, judged on the relaxed structure itself):
     * a relaxation that pulled its atoms apart until an image left out lies near.
     *
     * @param relaxed the structure a relaxation ended with
     * @throws IllegalArgumentException when it does not pass, naming the term and the distances
     */
    void checkRelaxed(Atoms relaxed) {
        if (!relaxed.isPeriodic() || minimumImageSuffices(relaxed)) {
            return;
        }
        for (Term t : terms) {
            if (!(t instanceof Coulomb) && !Double.isFinite(t.cutoff)) {
                throw new IllegalArgumentException(t.label() + " has no cutoff, and relaxing " + relaxed.asGiven()
                        + " moved its atoms so far that the minimum image no longer stands for the sum over images: "
                        + minimumImageReason(relaxed)
                        + "; give the term a cutoff (every image within it is then summed), or the structure a larger"
                        + " box");
            }
        }
    }

    /** Why the minimum image cannot stand for the sum over images in a cell: see {@link #minimumImageSuffices}. */
    static String minimumImageReason(Atoms atoms) {
        double h = atoms.minimumImageRadius();
        if (atoms.size() == 1) {
            return String.format(
                    java.util.Locale.ROOT,
                    "a cell of one atom whose half height h = %.4g Å is under %.0f Å is taken for a crystal, whose"
                            + " own images the minimum image leaves out (for an isolated atom, use a box of at least"
                            + " %.0f Å, or write the structure without periodicity, pbc=\"F F F\")",
                    h,
                    ISOLATED_ATOM_RADIUS,
                    2 * ISOLATED_ATOM_RADIUS);
        }
        double d = atoms.shortestDistance();
        return String.format(
                java.util.Locale.ROOT,
                "the images it leaves out may lie as near as 2h - r = %.4g Å (h = %.4g Å, half the smallest height"
                        + " of the cell over its periodic directions; r = %.4g Å, the longest distance between two"
                        + " atoms), nearer than 2d = %.4g Å (d, the shortest distance between two atoms counting"
                        + " periodic images): the structure is no cluster well inside its box",
                2 * h - atoms.longestPairDistance(),
                h,
                atoms.longestPairDistance(),
                2 * d);
    }

    private double compute(Atoms atoms, Parameters params, double @Nullable [] forces, double @Nullable [] virial) {
        int n = atoms.size();
        if (forces != null) {
            if (forces.length != 3 * n) {
                throw new IllegalArgumentException(
                        "the forces array must have 3 * " + n + " = " + 3 * n + " entries, got " + forces.length);
            }
            Arrays.fill(forces, 0.0);
        }
        int[] mol = atoms.moleculesArray();
        if (excludeIntramolecular && mol == null) {
            throw new IllegalArgumentException(
                    "this potential excludes intramolecular pairs and needs molecule indices, but " + atoms
                            + " has none: set them with Atoms.withMolecules or a molecule:I:1 column in the extended XYZ file");
        }
        boolean periodic = atoms.isPeriodic();
        boolean fullyPeriodic = periodic && atoms.pbc()[0] && atoms.pbc()[1] && atoms.pbc()[2];
        // route each term: a cell list with images, the minimum image, or the Ewald sum
        List<Integer> listed = new ArrayList<>();
        List<Integer> minimumImage = new ArrayList<>();
        List<Coulomb> ewald = new ArrayList<>();
        for (int t = 0; t < terms.size(); t++) {
            Term term = terms.get(t);
            CoulombMethod method = term instanceof Coulomb c ? c.method : null;
            if (method == CoulombMethod.EWALD && periodic) {
                if (!fullyPeriodic) {
                    throw new IllegalArgumentException(
                            "the Ewald sum of " + term.label() + " needs a cell periodic along all " + "three vectors; "
                                    + atoms + " is periodic along " + Arrays.toString(atoms.pbc()));
                }
                ewald.add((Coulomb) term);
            } else if (!periodic || method != CoulombMethod.MINIMUM_IMAGE && Double.isFinite(term.cutoff)) {
                listed.add(t);
            } else if (method == CoulombMethod.DIRECT) {
                throw new IllegalArgumentException(term.label() + " has no cutoff, and in the periodic cell of " + atoms
                        + " a plain Coulomb sum over images does not converge: choose the Ewald sum (coulomb method 'ewald'),"
                        + " the damped shifted force sum (method 'dsf', with alpha and a cutoff), or the minimum image"
                        + " (method 'minimum_image', for a cluster in a large box); a plain sum with a cutoff is allowed"
                        + " but converges poorly in an ionic crystal");
            } else {
                // no cutoff (or a Coulomb term that asks for it): each pair's minimum image
                // judged on the structure as given: a relaxation's steps keep its verdict
                Atoms given = atoms.asGiven();
                if (method == null && !minimumImageSuffices(given)) {
                    throw new IllegalArgumentException(term.label() + " has no cutoff, and in the periodic cell of "
                            + given + " the minimum image cannot stand for the sum over images: "
                            + minimumImageReason(given)
                            + "; give the term a cutoff (every image within it is then summed)");
                }
                minimumImage.add(t);
            }
        }
        // index the species of this structure and bind the terms that apply to each pair of them
        String[] species = atoms.speciesArray();
        Map<String, Integer> kinds = new HashMap<>();
        int[] kind = new int[n];
        List<String> kindNames = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Integer k = kinds.get(species[i]);
            if (k == null) {
                k = kindNames.size();
                kinds.put(species[i], k);
                kindNames.add(species[i]);
            }
            kind[i] = k;
        }
        double[] pos = atoms.positionsArray();
        Accumulator acc = new Accumulator(forces, virial);
        boolean exclude = excludeIntramolecular;
        if (!listed.isEmpty()) {
            Bound[][][] table = table(listed, params, atoms, kindNames);
            double maxCut = 0;
            for (int t : listed) {
                maxCut = Math.max(maxCut, terms.get(t).cutoff);
            }
            double[] d0 = new double[3];
            Neighbours.forEach(atoms, maxCut, (i, j, dx, dy, dz, r2) -> {
                Bound[] list = table[kind[i]][kind[j]];
                if (list.length == 0) {
                    return;
                }
                if (exclude && mol != null && i != j && mol[i] == mol[j]) {
                    if (!periodic) {
                        return;
                    }
                    Neighbours.nearestImage(atoms, pos, i, j, d0);
                    if (Math.abs(d0[0] - dx) < 1e-9 && Math.abs(d0[1] - dy) < 1e-9 && Math.abs(d0[2] - dz) < 1e-9) {
                        return;
                    }
                }
                acc.pair(list, i, j, dx, dy, dz, r2, atoms);
            });
        }
        if (!minimumImage.isEmpty()) {
            Bound[][][] table = table(minimumImage, params, atoms, kindNames);
            double[] d = new double[3];
            for (int i = 0; i < n; i++) {
                Cancellation.check("the pair sum over ", atoms);
                for (int j = i + 1; j < n; j++) {
                    if (excludeIntramolecular && mol != null && mol[i] == mol[j]) {
                        continue;
                    }
                    Bound[] list = table[kind[i]][kind[j]];
                    if (list.length == 0) {
                        continue;
                    }
                    double r2 = atoms.displacement(pos, i, j, d);
                    acc.pair(list, i, j, d[0], d[1], d[2], r2, atoms);
                }
            }
        }
        for (Coulomb c : ewald) {
            acc.energy += Ewald.compute(
                    atoms,
                    c.charges(params, atoms),
                    c.k,
                    c.tolerance,
                    excludeIntramolecular ? mol : null,
                    forces,
                    virial);
        }
        for (Term t : terms) {
            if (t instanceof Coulomb c && c.method == CoulombMethod.DSF) {
                acc.energy += c.dsfSelfEnergy(params, atoms);
            }
        }
        return acc.energy;
    }

    private Bound[][][] table(List<Integer> which, Parameters params, Atoms atoms, List<String> kindNames) {
        int nk = kindNames.size();
        Bound[] bound = new Bound[which.size()];
        for (int t = 0; t < bound.length; t++) {
            bound[t] = terms.get(which.get(t)).bind(params, atoms);
        }
        Bound[][][] table = new Bound[nk][nk][];
        for (int a = 0; a < nk; a++) {
            for (int b = 0; b < nk; b++) {
                List<Bound> list = new ArrayList<>();
                for (int t = 0; t < bound.length; t++) {
                    if (terms.get(which.get(t)).applies(kindNames.get(a), kindNames.get(b))) {
                        list.add(bound[t]);
                    }
                }
                table[a][b] = list.toArray(new Bound[0]);
            }
        }
        return table;
    }

    /** Sums the energy, forces and strain derivative of one evaluation. */
    private static final class Accumulator {
        final double @Nullable [] forces;
        final double @Nullable [] virial;
        final double[] dEdr = new double[1];
        double energy;

        Accumulator(double @Nullable [] forces, double @Nullable [] virial) {
            this.forces = forces;
            this.virial = virial;
        }

        void pair(Bound[] list, int i, int j, double dx, double dy, double dz, double r2, Atoms atoms) {
            double r = Math.sqrt(r2);
            double g = 0;
            for (Bound b : list) {
                if (r >= b.cutoff) {
                    continue;
                }
                if (r == 0) {
                    throw new IllegalArgumentException("atoms " + i + " (" + atoms.species(i) + ") and " + j + " ("
                            + atoms.species(j) + ") are at the same place; the pair energy is infinite");
                }
                energy += b.function.energy(i, j, r, dEdr);
                g += dEdr[0];
                if (b.shifted) {
                    energy -= b.function.energy(i, j, b.cutoff, dEdr);
                }
            }
            if (g != 0) {
                double s = g / r;
                if (forces != null) {
                    forces[3 * i] += s * dx;
                    forces[3 * i + 1] += s * dy;
                    forces[3 * i + 2] += s * dz;
                    forces[3 * j] -= s * dx;
                    forces[3 * j + 1] -= s * dy;
                    forces[3 * j + 2] -= s * dz;
                }
                if (virial != null) {
                    Ewald.addOuter(virial, s, dx, dy, dz);
                }
            }
        }
    }

    @Override
    public String toString() {
        List<String> l = new ArrayList<>();
        for (Term t : terms) {
            l.add(t.label());
        }
        return "PairPotential" + l + (excludeIntramolecular ? " (intermolecular)" : "");
    }

    /** A pair function with its parameters bound: energy at r, dE/dr written into dEdr[0]. */
    @FunctionalInterface
    interface PairFunction {
        double energy(int i, int j, double r, double[] dEdr);
    }

    /** A term bound to one evaluation's parameters. */
    private record Bound(PairFunction function, double cutoff, boolean shifted) {}

    /** One pair term: species, cutoff and the parameters it reads. */
    abstract static class Term {
        final String a;
        final String b;
        final double cutoff;
        final boolean shifted;

        Term(String a, String b, double cutoff, boolean shifted) {
            this.a = species(a);
            this.b = species(b);
            if (!(cutoff > 0)) {
                throw new IllegalArgumentException("a cutoff must be positive, got " + cutoff);
            }
            if (shifted && !Double.isFinite(cutoff)) {
                throw new IllegalArgumentException("a shifted term needs a finite cutoff, got " + cutoff);
            }
            this.cutoff = cutoff;
            this.shifted = shifted;
        }

        private static String species(String s) {
            if (s == null || s.isBlank()) {
                throw new IllegalArgumentException("a pair term needs two species (or \"*\"), got '" + s + "'");
            }
            return s;
        }

        boolean applies(String si, String sj) {
            return matches(a, si) && matches(b, sj) || matches(a, sj) && matches(b, si);
        }

        private static boolean matches(String pattern, String s) {
            return pattern.equals("*") || pattern.equals(s);
        }

        Bound bind(Parameters p, Atoms atoms) {
            return new Bound(function(p, atoms), cutoff, shifted);
        }

        abstract PairFunction function(Parameters p, Atoms atoms);

        abstract List<ParameterRef> refs();

        abstract String kind();

        String label() {
            return kind() + "(" + a + "-" + b
                    + (Double.isFinite(cutoff) ? ", cutoff " + cutoff + (shifted ? ", shifted" : "") : "") + ")";
        }
    }

    private static final class LennardJones extends Term {
        final ParameterRef eps;
        final ParameterRef sigma;

        LennardJones(String a, String b, ParameterRef eps, ParameterRef sigma, double cutoff, boolean shifted) {
            super(a, b, cutoff, shifted);
            this.eps = Objects.requireNonNull(eps, "epsilon");
            this.sigma = Objects.requireNonNull(sigma, "sigma");
        }

        @Override
        PairFunction function(Parameters p, Atoms atoms) {
            double e4 = 4 * eps.value(p);
            double s = sigma.value(p);
            double s2 = s * s;
            return (i, j, r, dEdr) -> {
                double x2 = s2 / (r * r);
                double x6 = x2 * x2 * x2;
                double x12 = x6 * x6;
                dEdr[0] = e4 * (-12 * x12 + 6 * x6) / r;
                return e4 * (x12 - x6);
            };
        }

        @Override
        List<ParameterRef> refs() {
            return List.of(eps, sigma);
        }

        @Override
        String kind() {
            return "LennardJones";
        }
    }

    private static final class Morse extends Term {
        final ParameterRef depth;
        final ParameterRef alpha;
        final ParameterRef r0;

        Morse(
                String a,
                String b,
                ParameterRef depth,
                ParameterRef alpha,
                ParameterRef r0,
                double cutoff,
                boolean shifted) {
            super(a, b, cutoff, shifted);
            this.depth = Objects.requireNonNull(depth, "depth");
            this.alpha = Objects.requireNonNull(alpha, "alpha");
            this.r0 = Objects.requireNonNull(r0, "r0");
        }

        @Override
        PairFunction function(Parameters p, Atoms atoms) {
            double dd = depth.value(p);
            double al = alpha.value(p);
            double rr = r0.value(p);
            return (i, j, r, dEdr) -> {
                double ex = Math.exp(-al * (r - rr));
                dEdr[0] = 2 * al * dd * (ex - ex * ex);
                return dd * (ex * ex - 2 * ex);
            };
        }

        @Override
        List<ParameterRef> refs() {
            return List.of(depth, alpha, r0);
        }

        @Override
        String kind() {
            return "Morse";
        }
    }

    private static final class Buckingham extends Term {
        final ParameterRef amplitude;
        final ParameterRef rho;
        final ParameterRef c6;

        Buckingham(
                String a,
                String b,
                ParameterRef amplitude,
                ParameterRef rho,
                ParameterRef c6,
                double cutoff,
                boolean shifted) {
            super(a, b, cutoff, shifted);
            this.amplitude = Objects.requireNonNull(amplitude, "A");
            this.rho = Objects.requireNonNull(rho, "rho");
            this.c6 = Objects.requireNonNull(c6, "C");
        }

        @Override
        PairFunction function(Parameters p, Atoms atoms) {
            double aa = amplitude.value(p);
            double rh = rho.value(p);
            double cc = c6.value(p);
            if (!(rh > 0)) {
                throw new IllegalArgumentException("Buckingham rho (" + rho + ") must be positive, got " + rh);
            }
            return (i, j, r, dEdr) -> {
                double ex = aa * Math.exp(-r / rh);
                double r6 = r * r * r * r * r * r;
                dEdr[0] = -ex / rh + 6 * cc / (r6 * r);
                return ex - cc / r6;
            };
        }

        @Override
        List<ParameterRef> refs() {
            return List.of(amplitude, rho, c6);
        }

        @Override
        String kind() {
            return "Buckingham";
        }
    }

    private static final class Coulomb extends Term {
        final Map<String, ParameterRef> charges;
        final double k;
        final CoulombMethod method;
        final double tolerance;
        /** The damping parameter of the damped shifted force sum (1/Å); 0 for the other methods. */
        final double alpha;

        Coulomb(
                Map<String, ParameterRef> charges,
                double k,
                double cutoff,
                boolean shifted,
                CoulombMethod method,
                double tolerance) {
            this(charges, k, cutoff, shifted, method, tolerance, 0);
        }

        Coulomb(
                Map<String, ParameterRef> charges,
                double k,
                double cutoff,
                boolean shifted,
                CoulombMethod method,
                double tolerance,
                double alpha) {
            super("*", "*", cutoff, shifted);
            this.alpha = alpha;
            if (charges.isEmpty()) {
                throw new IllegalArgumentException("a Coulomb term needs the charge of at least one species, got none");
            }
            this.charges = new LinkedHashMap<>(charges);
            this.k = k;
            this.method = Objects.requireNonNull(method, "method");
            this.tolerance = tolerance;
        }

        double[] charges(Parameters p, Atoms atoms) {
            Map<String, Double> bySpecies = new HashMap<>();
            charges.forEach((s, ref) -> bySpecies.put(s, ref.value(p)));
            double[] q = new double[atoms.size()];
            for (int i = 0; i < q.length; i++) {
                Double v = bySpecies.get(atoms.species(i));
                if (v == null) {
                    throw new IllegalArgumentException("the Coulomb term has no charge for species '" + atoms.species(i)
                            + "' (atom " + i + "); charges are given for " + charges.keySet());
                }
                q[i] = v;
            }
            return q;
        }

        /**
         * The constant shifts of the damped shifted force pair energy, in the notation of LAMMPS's
         * {@code coul/dsf}: {fShift, eShift} with fShift = -(erfc(α r_c)/r_c² + 2α/√π e^(-α² r_c²)/r_c)
         * and eShift = erfc(α r_c)/r_c - fShift r_c, so that E(r) = k q_i q_j (erfc(α r)/r - eShift
         * - fShift r), and E and dE/dr vanish at r_c.
         */
        double[] dsfShifts() {
            double rc = cutoff;
            double erfcRc = Erf.erfc(alpha * rc);
            double fShift = -(erfcRc / (rc * rc) + TWO_OVER_SQRT_PI * alpha * Math.exp(-alpha * alpha * rc * rc) / rc);
            return new double[] {fShift, erfcRc / rc - fShift * rc};
        }

        /**
         * The damped shifted force sum's energy of each charge with itself, -k q² (eShift/2 + α/√π),
         * the self term of LAMMPS's {@code coul/dsf}.
         */
        double dsfSelfEnergy(Parameters p, Atoms atoms) {
            double eShift = dsfShifts()[1];
            double sum = 0;
            for (double qi : charges(p, atoms)) {
                sum += qi * qi;
            }
            return -k * sum * (eShift / 2 + alpha / Math.sqrt(Math.PI));
        }

        @Override
        PairFunction function(Parameters p, Atoms atoms) {
            double[] q = charges(p, atoms);
            double kk = k;
            if (method == CoulombMethod.DSF) {
                double[] shifts = dsfShifts();
                double fShift = shifts[0];
                double eShift = shifts[1];
                double al = alpha;
                return (i, j, r, dEdr) -> {
                    double qq = kk * q[i] * q[j];
                    double erfc = Erf.erfc(al * r);
                    dEdr[0] = qq * (-erfc / (r * r) - TWO_OVER_SQRT_PI * al * Math.exp(-al * al * r * r) / r - fShift);
                    return qq * (erfc / r - eShift - fShift * r);
                };
            }
            return (i, j, r, dEdr) -> {
                double e = kk * q[i] * q[j] / r;
                dEdr[0] = -e / r;
                return e;
            };
        }

        @Override
        List<ParameterRef> refs() {
            return List.copyOf(charges.values());
        }

        @Override
        String kind() {
            return switch (method) {
                case DIRECT -> "Coulomb";
                case MINIMUM_IMAGE -> "Coulomb[minimum image]";
                case EWALD -> "Coulomb[Ewald, tolerance " + tolerance + "]";
                case DSF -> "Coulomb[damped shifted force, alpha " + alpha + "]";
            };
        }
    }

    /**
     * How a Coulomb term sums over a periodic cell.
     *
     * <pre>{@code
     * builder.coulomb(charges, CoulombMethod.EWALD, 1e-10);
     * }</pre>
     */
    public enum CoulombMethod {
        /** 1/r over pairs within the cutoff, images included; without a cutoff it is refused in a periodic cell. */
        DIRECT,
        /** 1/r over each pair's minimum image only: suits a cluster in a large box, not a crystal. */
        MINIMUM_IMAGE,
        /** The Ewald sum in a cell periodic along all three vectors (and 1/r over all pairs without periodicity). */
        EWALD,
        /**
         * The damped shifted force sum of C. J. Fennell and J. D. Gezelter, J. Chem. Phys. 124,
         * 234104 (2006): erfc-damped 1/r over the pairs (images included) within a cutoff, shifted
         * so that the energy and the force go to zero there, plus a self energy per atom; the
         * form of LAMMPS's {@code pair_style coul/dsf}. No lattice sum: an approximation whose
         * accuracy depends on α and the cutoff, chosen explicitly with
         * {@link Builder#coulombDampedShiftedForce(Map, double, double)}.
         */
        DSF
    }

    /**
     * Collects pair terms. Methods without a cutoff use none; a parameter given as a String is
     * {@link ParameterRef#of(String)}.
     *
     * <pre>{@code
     * PairPotential p = PairPotential.builder()
     *         .lennardJones("Ar", "Ar", ParameterRef.of("eps"), ParameterRef.of("sigma"), 8.5, true)
     *         .build();
     * }</pre>
     *
     * @implNote Not thread-safe; {@link #build()} returns an immutable potential.
     */
    public static final class Builder {
        private final List<Term> terms = new ArrayList<>();
        private boolean exclude;
        private double coulombConstant = COULOMB_CONSTANT;

        private Builder() {}

        /**
         * Lennard-Jones without cutoff.
         *
         * @param a a species or "*"
         * @param b a species or "*"
         * @param epsilon the well depth's parameter name (eV)
         * @param sigma the zero-crossing distance's parameter name (Å)
         * @return this builder
         */
        public Builder lennardJones(String a, String b, String epsilon, String sigma) {
            return lennardJones(
                    a, b, ParameterRef.of(epsilon), ParameterRef.of(sigma), Double.POSITIVE_INFINITY, false);
        }

        /**
         * @param a a species or "*"
         * @param b a species or "*"
         * @param epsilon the well depth (eV)
         * @param sigma the zero-crossing distance (Å)
         * @param cutoff pairs at or beyond it do not interact (Å); infinity for none
         * @param shifted subtract E(cutoff) so the energy is continuous at the cutoff
         * @return this builder
         * @throws IllegalArgumentException when the cutoff is not positive, or shifted without a finite cutoff
         */
        public Builder lennardJones(
                String a, String b, ParameterRef epsilon, ParameterRef sigma, double cutoff, boolean shifted) {
            terms.add(new LennardJones(a, b, epsilon, sigma, cutoff, shifted));
            return this;
        }

        /**
         * Morse without cutoff.
         *
         * @param a a species or "*"
         * @param b a species or "*"
         * @param depth the well depth D's parameter name (eV)
         * @param alpha the width α's parameter name (1/Å)
         * @param r0 the equilibrium distance's parameter name (Å)
         * @return this builder
         */
        public Builder morse(String a, String b, String depth, String alpha, String r0) {
            return morse(
                    a,
                    b,
                    ParameterRef.of(depth),
                    ParameterRef.of(alpha),
                    ParameterRef.of(r0),
                    Double.POSITIVE_INFINITY,
                    false);
        }

        /**
         * @param a a species or "*"
         * @param b a species or "*"
         * @param depth the well depth D (eV)
         * @param alpha the width α (1/Å)
         * @param r0 the equilibrium distance (Å)
         * @param cutoff in Å, infinity for none
         * @param shifted subtract E(cutoff)
         * @return this builder
         * @throws IllegalArgumentException as {@link #lennardJones(String, String, ParameterRef, ParameterRef, double, boolean)}
         */
        public Builder morse(
                String a,
                String b,
                ParameterRef depth,
                ParameterRef alpha,
                ParameterRef r0,
                double cutoff,
                boolean shifted) {
            terms.add(new Morse(a, b, depth, alpha, r0, cutoff, shifted));
            return this;
        }

        /**
         * Buckingham without cutoff.
         *
         * @param a a species or "*"
         * @param b a species or "*"
         * @param amplitude the repulsion A's parameter name (eV)
         * @param rho the repulsion length ρ's parameter name (Å)
         * @param c6 the dispersion C's parameter name (eV Å^6)
         * @return this builder
         */
        public Builder buckingham(String a, String b, String amplitude, String rho, String c6) {
            return buckingham(
                    a,
                    b,
                    ParameterRef.of(amplitude),
                    ParameterRef.of(rho),
                    ParameterRef.of(c6),
                    Double.POSITIVE_INFINITY,
                    false);
        }

        /**
         * @param a a species or "*"
         * @param b a species or "*"
         * @param amplitude A (eV)
         * @param rho ρ (Å), positive at evaluation
         * @param c6 C (eV Å^6)
         * @param cutoff in Å, infinity for none
         * @param shifted subtract E(cutoff)
         * @return this builder
         * @throws IllegalArgumentException as {@link #lennardJones(String, String, ParameterRef, ParameterRef, double, boolean)}
         */
        public Builder buckingham(
                String a,
                String b,
                ParameterRef amplitude,
                ParameterRef rho,
                ParameterRef c6,
                double cutoff,
                boolean shifted) {
            terms.add(new Buckingham(a, b, amplitude, rho, c6, cutoff, shifted));
            return this;
        }

        /**
         * Adds a term by the name of its form, for callers that read terms from a file. The forms
         * and their parameter keys: {@code lennard-jones} (epsilon, sigma), {@code morse} (D,
         * alpha, r0), {@code buckingham} (A, rho, C). Form names ignore case, '_' and '-'
         * ({@code LJ} is Lennard-Jones).
         *
         * <pre>{@code
         * builder.term("lennard-jones", "O", "O",
         *         Map.of("epsilon", ParameterRef.parse("eps_OO"), "sigma", ParameterRef.parse("sigma_OO")), 8.0, true);
         * }</pre>
         *
         * @param form the term's form
         * @param a a species or "*"
         * @param b a species or "*"
         * @param params the form's parameter keys to references
         * @param cutoff in Å, infinity for none
         * @param shifted subtract E(cutoff)
         * @return this builder
         * @throws IllegalArgumentException for an unknown form, a missing or unknown parameter key
         *     (the message lists the expected keys), or an invalid cutoff
         */
        public Builder term(
                String form, String a, String b, Map<String, ParameterRef> params, double cutoff, boolean shifted) {
            String f = form == null
                    ? ""
                    : form.toLowerCase(java.util.Locale.ROOT)
                            .replace("_", "")
                            .replace("-", "")
                            .replace(" ", "");
            List<String> keys = switch (f) {
                case "lennardjones", "lj" -> List.of("epsilon", "sigma");
                case "morse" -> List.of("D", "alpha", "r0");
                case "buckingham" -> List.of("A", "rho", "C");
                default ->
                    throw new IllegalArgumentException("unknown pair term '" + form
                            + "'; known terms: lennard-jones (epsilon, sigma), morse (D, alpha, r0), buckingham (A, rho, C)"
                            + " and Coulomb through coulomb(charges)");
            };
            for (String k : params.keySet()) {
                if (!keys.contains(k)) {
                    throw new IllegalArgumentException(
                            "pair term '" + form + "' has no parameter '" + k + "'; it takes " + keys);
                }
            }
            ParameterRef[] r = new ParameterRef[keys.size()];
            for (int i = 0; i < r.length; i++) {
                r[i] = params.get(keys.get(i));
                if (r[i] == null) {
                    throw new IllegalArgumentException("pair term '" + form + "' (" + a + "-" + b
                            + ") needs the parameter '" + keys.get(i) + "'; it takes " + keys);
                }
            }
            return switch (keys.size() == 2 ? 0 : keys.get(0).equals("D") ? 1 : 2) {
                case 0 -> lennardJones(a, b, r[0], r[1], cutoff, shifted);
                case 1 -> morse(a, b, r[0], r[1], r[2], cutoff, shifted);
                default -> buckingham(a, b, r[0], r[1], r[2], cutoff, shifted);
            };
        }

        /**
         * Coulomb between all pairs, without cutoff: for structures without periodic directions.
         * In a periodic cell such a term is refused when evaluated; use
         * {@link #coulomb(Map, CoulombMethod, double)} with {@link CoulombMethod#EWALD} there.
         *
         * @param charges the charge (e) of each species; every species of a structure needs one
         * @return this builder
         */
        public Builder coulomb(Map<String, ParameterRef> charges) {
            return coulomb(charges, Double.POSITIVE_INFINITY, false);
        }

        /**
         * @param charges the charge (e) of each species
         * @param cutoff in Å, infinity for none
         * @param shifted subtract E(cutoff)
         * @return this builder
         * @throws IllegalArgumentException when no charge is given or the cutoff is invalid
         */
        public Builder coulomb(Map<String, ParameterRef> charges, double cutoff, boolean shifted) {
            terms.add(new Coulomb(charges, coulombConstant, cutoff, shifted, CoulombMethod.DIRECT, 0));
            return this;
        }

        /**
         * Coulomb summed by the given method. For {@link CoulombMethod#EWALD} the tolerance sets
         * the accuracy (the splitting parameter and both cutoffs follow from it, see the class
         * comment); the other methods take no cutoff here and ignore the tolerance.
         *
         * <pre>{@code
         * builder.coulomb(Map.of("Na", ParameterRef.constant(1), "Cl", ParameterRef.constant(-1)), CoulombMethod.EWALD, 1e-10);
         * }</pre>
         *
         * @param charges the charge (e) of each species
         * @param method how to sum over a periodic cell
         * @param tolerance for Ewald, the relative size of the first neglected terms, in (0, 1e-2]
         * @return this builder
         * @throws IllegalArgumentException when no charge is given or the tolerance is out of range
         */
        public Builder coulomb(Map<String, ParameterRef> charges, CoulombMethod method, double tolerance) {
            if (method == CoulombMethod.EWALD && !(tolerance > 0 && tolerance <= 1e-2)) {
                throw new IllegalArgumentException("the Ewald tolerance must be in (0, 0.01], got " + tolerance);
            }
            terms.add(new Coulomb(
                    charges,
                    coulombConstant,
                    Double.POSITIVE_INFINITY,
                    false,
                    Objects.requireNonNull(method, "method"),
                    tolerance));
            return this;
        }

        /**
         * Coulomb as the damped shifted force sum ({@link CoulombMethod#DSF}) with damping α and
         * a cutoff. With α = 0 it is the shifted-force Coulomb sum.
         *
         * <pre>{@code
         * builder.coulombDampedShiftedForce(Map.of("Mg", ParameterRef.of("q"), "O", ParameterRef.scaled("q", -1)), 0.2, 10.0);
         * }</pre>
         *
         * @param charges the charge (e) of each species
         * @param alpha the damping parameter in 1/Å, finite and not negative
         * @param cutoff in Å, finite and positive
         * @return this builder
         * @throws IllegalArgumentException when no charge is given, alpha is negative or not
         *     finite, or the cutoff is not finite and positive
         */
        public Builder coulombDampedShiftedForce(Map<String, ParameterRef> charges, double alpha, double cutoff) {
            if (!(alpha >= 0) || !Double.isFinite(alpha)) {
                throw new IllegalArgumentException(
                        "the damping alpha of the damped shifted force sum must be finite and not " + "negative, got "
                                + alpha);
            }
            if (!(cutoff > 0) || !Double.isFinite(cutoff)) {
                throw new IllegalArgumentException(
                        "the damped shifted force sum needs a finite positive cutoff, got " + cutoff);
            }
            terms.add(new Coulomb(charges, coulombConstant, cutoff, false, CoulombMethod.DSF, 0, alpha));
            return this;
        }

        /**
         * @param k the Coulomb constant for Coulomb terms added after this call, in energy·length/charge²
         *     of the units the user works in (default {@link #COULOMB_CONSTANT}, eV·Å/e²)
         * @return this builder
         * @throws IllegalArgumentException when k is not positive
         */
        public Builder coulombConstant(double k) {
            if (!(k > 0) || !Double.isFinite(k)) {
                throw new IllegalArgumentException("the Coulomb constant must be positive and finite, got " + k);
            }
            this.coulombConstant = k;
            return this;
        }

        /**
         * Leaves out every pair of atoms that share a molecule index (structures must then carry molecule indices).
         *
         * @return this builder
         */
        public Builder excludeIntramolecular() {
            this.exclude = true;
            return this;
        }

        /**
         * @return the potential
         * @throws IllegalArgumentException when no term was added
         */
        public PairPotential build() {
            if (terms.isEmpty()) {
                throw new IllegalArgumentException("a pair potential needs at least one term, got none");
            }
            return new PairPotential(terms, exclude);
        }
    }
}
