package org.chemfit.atoms;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import org.jspecify.annotations.Nullable;

/**
 * An atomic structure: chemical species, Cartesian positions (Å), an optional periodic cell,
 * periodic flags, optional molecule indices and an optional reference energy (eV). The counterpart
 * of ASE's {@code Atoms} for what fitting needs.
 *
 * <pre>{@code
 * Atoms dimer = Atoms.of(List.of("Ar", "Ar"), new double[][] {{0, 0, 0}, {0, 0, 3.8}});
 * Atoms boxed = dimer.withCell(new double[][] {{20, 0, 0}, {0, 20, 0}, {0, 0, 20}}, true, true, true);
 * Atoms water2 = Xyz.read(Path.of("atoms_3.0.xyz")).withMolecules(0, 0, 0, 1, 1, 1);
 * double r = boxed.distance(0, 1);   // 3.8, through the minimum image
 * }</pre>
 *
 * <p>Every {@code with...} method returns a copy; arrays are copied in and out.
 *
 * @implNote Immutable and therefore thread-safe: one instance may be read by any number of
 *     evaluations at once. Computers that move atoms work on their own copy of the positions.
 */
public final class Atoms {

    private final String[] species;
    private final double[] positions;
    private final double @Nullable [] cell;
    private final boolean[] pbc;
    private final int @Nullable [] molecules;
    private final double energy;
    private final Map<String, String> info;
    private volatile double @Nullable [] inverseCell;
    /** {@link #shortestDistance()} once computed, NaN before. */
    private volatile double shortest = Double.NaN;

    /** {@link #longestPairDistance()} once computed, NaN before. */
    private volatile double longest = Double.NaN;

    /**
     * The structure this one's atoms were moved from by a relaxation (the same atoms in the same
     * cell), or null when it is itself as given: see {@link #asGiven()}.
     */
    private final @Nullable Atoms given;

    private Atoms(
            String[] species,
            double[] positions,
            double @Nullable [] cell,
            boolean[] pbc,
            int @Nullable [] molecules,
            double energy,
            Map<String, String> info,
            @Nullable Atoms given) {
        this.given = given;
        this.species = species;
        this.positions = positions;
        this.cell = cell;
        this.pbc = pbc;
        this.molecules = molecules;
        this.energy = energy;
        this.info = info;
    }

    /**
     * Builds a non-periodic structure.
     *
     * @param species one chemical symbol (or type label) per atom
     * @param positions one {x, y, z} row per atom, in Å
     * @return the structure
     * @throws IllegalArgumentException when the counts differ, a row does not have 3 entries, a
     *     coordinate is not finite, or a species is empty or contains whitespace
     */
    public static Atoms of(List<String> species, double[][] positions) {
        Objects.requireNonNull(species, "species");
        Objects.requireNonNull(positions, "positions");
        if (species.size() != positions.length) {
            throw new IllegalArgumentException("there must be one position per atom: got " + species.size()
                    + " species and " + positions.length + " positions");
        }
        double[] flat = new double[3 * positions.length];
        for (int i = 0; i < positions.length; i++) {
            if (positions[i] == null || positions[i].length != 3) {
                throw new IllegalArgumentException("position " + i + " must have 3 coordinates, got "
                        + (positions[i] == null ? "null" : positions[i].length));
            }
            System.arraycopy(positions[i], 0, flat, 3 * i, 3);
        }
        return ofFlat(species.toArray(new String[0]), flat);
    }

    /**
     * Builds a non-periodic structure from flat coordinates.
     *
     * @param species one symbol per atom
     * @param positions x0, y0, z0, x1, ... in Å (copied)
     * @return the structure
     * @throws IllegalArgumentException as {@link #of(List, double[][])}
     */
    static Atoms ofFlat(String[] species, double[] positions) {
        String[] s = species.clone();
        for (int i = 0; i < s.length; i++) {
            if (s[i] == null || s[i].isEmpty() || s[i].chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException(
                        "species of atom " + i + " must be a non-empty word, got '" + s[i] + "'");
            }
        }
        if (positions.length != 3 * s.length) {
            throw new IllegalArgumentException(
                    "expected " + 3 * s.length + " coordinates for " + s.length + " atoms, got " + positions.length);
        }
        double[] p = positions.clone();
        checkFinite(p, "coordinate");
        return new Atoms(s, p, null, new boolean[3], null, Double.NaN, Map.of(), null);
    }

    private static void checkFinite(double[] a, String what) {
        for (int i = 0; i < a.length; i++) {
            if (!Double.isFinite(a[i])) {
                throw new IllegalArgumentException(what + " " + i + " must be finite, got " + a[i]);
            }
        }
    }

    /** @return the number of atoms */
    public int size() {
        return species.length;
    }

    /**
     * @param i an atom index
     * @return its species
     */
    public String species(int i) {
        return species[i];
    }

    /** @return the species, in atom order */
    public List<String> speciesList() {
        return List.of(species);
    }

    String[] speciesArray() {
        return species;
    }

    /** @return the positions x0, y0, z0, x1, ... in Å (a copy) */
    public double[] positions() {
        return positions.clone();
    }

    double[] positionsArray() {
        return positions;
    }

    /**
     * @param i an atom index
     * @return its position {x, y, z} (a copy)
     */
    public double[] position(int i) {
        return Arrays.copyOfRange(positions, 3 * i, 3 * i + 3);
    }

    /** @return the three cell vectors as rows (a copy), or null when there is no cell */
    public double @Nullable [][] cell() {
        if (cell == null) {
            return null;
        }
        return new double[][] {
            Arrays.copyOfRange(cell, 0, 3), Arrays.copyOfRange(cell, 3, 6), Arrays.copyOfRange(cell, 6, 9)
        };
    }

    /** @return whether a cell is set */
    public boolean hasCell() {
        return cell != null;
    }

    /** @return the periodic flags along the three cell vectors (a copy) */
    public boolean[] pbc() {
        return pbc.clone();
    }

    /** @return whether any direction is periodic */
    public boolean isPeriodic() {
        return pbc[0] || pbc[1] || pbc[2];
    }

    /** @return the molecule index of each atom (a copy), or null when none is set */
    public int @Nullable [] molecules() {
        return molecules == null ? null : molecules.clone();
    }

    int @Nullable [] moleculesArray() {
        return molecules;
    }

    /** @return the energy stored with the structure (for example from an extended XYZ comment line) */
    public OptionalDouble energy() {
        return Double.isNaN(energy) ? OptionalDouble.empty() : OptionalDouble.of(energy);
    }

    /** @return other key=value pairs of the structure's comment line, in order (unmodifiable) */
    public Map<String, String> info() {
        return info;
    }

    /**
     * @param newPositions x0, y0, z0, ... for the same atoms
     * @return a copy with these positions
     * @throws IllegalArgumentException when the length is wrong or a coordinate not finite
     */
    Atoms withPositions(double[] newPositions) {
        if (newPositions.length != positions.length) {
            throw new IllegalArgumentException(
                    "expected " + positions.length + " coordinates, got " + newPositions.length);
        }
        double[] p = newPositions.clone();
        checkFinite(p, "coordinate");
        return new Atoms(species, p, cell, pbc, molecules, energy, info, asGiven());
    }

    /**
     * Package-private: takes ownership of the array without copying or checking. The copy keeps
     * this structure's {@link #asGiven()}: a relaxation's steps are judged as the structure it
     * started from.
     */
    Atoms withPositionsUnchecked(double[] newPositions) {
        return new Atoms(species, newPositions, cell, pbc, molecules, energy, info, asGiven());
    }

    /**
     * The structure as it was given, before a relaxation moved its atoms: the one by which a pair
     * term without cutoff is judged ({@link PairPotential#minimumImageProblem}), so that a
     * structure accepted when it was read is not refused at some step of its relaxation, and the
     * O(N²) look at its distances is made once, not at every step.
     */
    Atoms asGiven() {
        return given == null ? this : given;
    }

    /**
     * @param vectors three cell vectors as rows, in Å
     * @param pbcA periodic along the first vector
     * @param pbcB periodic along the second vector
     * @param pbcC periodic along the third vector
     * @return a copy with this cell
     * @throws IllegalArgumentException when the cell is not 3x3, not finite, or singular
     */
    public Atoms withCell(double[][] vectors, boolean pbcA, boolean pbcB, boolean pbcC) {
        if (vectors == null || vectors.length != 3) {
            throw new IllegalArgumentException(
                    "a cell needs 3 vectors, got " + (vectors == null ? "null" : vectors.length));
        }
        double[] c = new double[9];
        for (int k = 0; k < 3; k++) {
            if (vectors[k] == null || vectors[k].length != 3) {
                throw new IllegalArgumentException("cell vector " + k + " must have 3 components");
            }
            System.arraycopy(vectors[k], 0, c, 3 * k, 3);
        }
        checkFinite(c, "cell component");
        if (Math.abs(det(c)) < 1e-12) {
            throw new IllegalArgumentException(
                    "the cell must have a non-zero volume, got vectors " + Arrays.toString(c));
        }
        return new Atoms(species, positions, c, new boolean[] {pbcA, pbcB, pbcC}, molecules, energy, info, null);
    }

    /**
     * @param moleculeIndex one molecule index per atom; pair potentials may exclude pairs within a molecule
     * @return a copy with these molecule indices
     * @throws IllegalArgumentException when the count differs from the number of atoms
     */
    public Atoms withMolecules(int... moleculeIndex) {
        if (moleculeIndex.length != species.length) {
            throw new IllegalArgumentException("there must be one molecule index per atom: got " + moleculeIndex.length
                    + " indices for " + species.length + " atoms");
        }
        return new Atoms(species, positions, cell, pbc, moleculeIndex.clone(), energy, info, given);
    }

    /**
     * @param atomsPerMolecule the size of every molecule; atoms 0..n-1 form molecule 0, and so on
     * @return a copy with molecule indices assigned in consecutive blocks
     * @throws IllegalArgumentException when the number of atoms is not a multiple of the size
     */
    public Atoms withConsecutiveMolecules(int atomsPerMolecule) {
        if (atomsPerMolecule < 1 || species.length % atomsPerMolecule != 0) {
            throw new IllegalArgumentException(
                    "cannot split " + species.length + " atoms into molecules of " + atomsPerMolecule + " atoms");
        }
        int[] m = new int[species.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = i / atomsPerMolecule;
        }
        return new Atoms(species, positions, cell, pbc, m, energy, info, given);
    }

    /**
     * @param value an energy in eV, or NaN to remove it
     * @return a copy with this energy
     */
    Atoms withEnergy(double value) {
        return new Atoms(species, positions, cell, pbc, molecules, value, info, given);
    }

    /**
     * @param newInfo key=value pairs kept with the structure
     * @return a copy with this info
     */
    Atoms withInfo(Map<String, String> newInfo) {
        return new Atoms(
                species,
                positions,
                cell,
                pbc,
                molecules,
                energy,
                Collections.unmodifiableMap(new LinkedHashMap<>(newInfo)),
                given);
    }

    /**
     * @param i an atom index
     * @param j another atom index
     * @return the distance between them in Å, through the minimum image along periodic directions
     */
    public double distance(int i, int j) {
        double[] d = new double[3];
        return Math.sqrt(displacement(positions, i, j, d));
    }

    /**
     * Writes the minimum-image vector from atom i to atom j into {@code d} and returns its squared
     * length. Along periodic directions the fractional displacement is wrapped into [-1/2, 1/2),
     * which gives the minimum image exactly for orthorhombic cells, and for other cells whenever
     * the pair is closer than half the shortest distance between opposite cell faces.
     */
    double displacement(double[] pos, int i, int j, double[] d) {
        double dx = pos[3 * j] - pos[3 * i];
        double dy = pos[3 * j + 1] - pos[3 * i + 1];
        double dz = pos[3 * j + 2] - pos[3 * i + 2];
        if (cell != null && (pbc[0] || pbc[1] || pbc[2])) {
            double[] inv = inverse();
            // fractional coordinates f = d * inv (row vector times inverse of the row-vector cell)
            double fa = dx * inv[0] + dy * inv[3] + dz * inv[6];
            double fb = dx * inv[1] + dy * inv[4] + dz * inv[7];
            double fc = dx * inv[2] + dy * inv[5] + dz * inv[8];
            if (pbc[0]) {
                fa -= Math.floor(fa + 0.5);
            }
            if (pbc[1]) {
                fb -= Math.floor(fb + 0.5);
            }
            if (pbc[2]) {
                fc -= Math.floor(fc + 0.5);
            }
            dx = fa * cell[0] + fb * cell[3] + fc * cell[6];
            dy = fa * cell[1] + fb * cell[4] + fc * cell[7];
            dz = fa * cell[2] + fb * cell[5] + fc * cell[8];
        }
        d[0] = dx;
        d[1] = dy;
        d[2] = dz;
        return dx * dx + dy * dy + dz * dz;
    }

    /**
     * The radius h within which the minimum image is exact: half the smallest perpendicular height
     * of the cell (the distance between two opposite faces) over its periodic directions.
     *
     * <pre>{@code
     * double h = cubic.minimumImageRadius();   // a / 2 for a cubic cell of edge a
     * }</pre>
     *
     * @return half the shortest distance between opposite faces of the cell over its periodic
     *     directions (the largest cutoff for which the minimum image is exact), or infinity when
     *     nothing is periodic
     */
    public double minimumImageRadius() {
        if (cell == null || !isPeriodic()) {
            return Double.POSITIVE_INFINITY;
        }
        double vol = Math.abs(det(cell));
        double r = Double.POSITIVE_INFINITY;
        for (int k = 0; k < 3; k++) {
            if (!pbc[k]) {
                continue;
            }
            int a = (k + 1) % 3;
            int b = (k + 2) % 3;
            double cx = cell[3 * a + 1] * cell[3 * b + 2] - cell[3 * a + 2] * cell[3 * b + 1];
            double cy = cell[3 * a + 2] * cell[3 * b] - cell[3 * a] * cell[3 * b + 2];
            double cz = cell[3 * a] * cell[3 * b + 1] - cell[3 * a + 1] * cell[3 * b];
            double width = vol / Math.sqrt(cx * cx + cy * cy + cz * cz);
            r = Math.min(r, width / 2);
        }
        return r;
    }

    /**
     * The longest distance between two atoms through the minimum image (the fractional wrap of
     * {@link #displacement}, which may give a farther image in a skewed cell, erring towards a
     * refusal where it is used), in Å: 0 for fewer than two atoms. O(N²), once per structure: a
     * potential asks at every evaluation.
     */
    double longestPairDistance() {
        double r = longest;
        if (Double.isNaN(r)) {
            double[] d = new double[3];
            double max = 0;
            for (int i = 0; i < species.length; i++) {
                for (int j = i + 1; j < species.length; j++) {
                    max = Math.max(max, displacement(positions, i, j, d));
                }
            }
            r = Math.sqrt(max);
            longest = r;
        }
        return r;
    }

    /**
     * The shortest distance d between two atoms, counting periodic images: in a periodic cell an
     * atom's own images count too, so a cell of one atom has d equal to its shortest lattice
     * vector along the periodic directions. Found with the cell list of {@link Neighbours}, over
     * a search radius doubled from 1.5 Å until a pair is found, so the cost grows with the number
     * of atoms, not with the number of pairs. Computed once per structure.
     *
     * <pre>{@code
     * double d = fcc.shortestDistance();   // a / sqrt(2) for an fcc crystal of lattice constant a
     * }</pre>
     *
     * @return d in Å; infinity for a structure of one atom without periodicity, or of no atoms
     */
    public double shortestDistance() {
        double d = shortest;
        if (Double.isNaN(d)) {
            d = searchShortestDistance();
            shortest = d;
        }
        return d;
    }

    private double searchShortestDistance() {
        int n = species.length;
        if (n == 0 || n == 1 && !isPeriodic()) {
            return Double.POSITIVE_INFINITY;
        }
        // a distance no shorter than d: an atom's nearest own image, or the span of the atoms
        double bound = Double.POSITIVE_INFINITY;
        if (cell != null && isPeriodic()) {
            for (int k = 0; k < 3; k++) {
                if (pbc[k]) {
                    bound = Math.min(
                            bound,
                            Math.sqrt(cell[3 * k] * cell[3 * k]
                                    + cell[3 * k + 1] * cell[3 * k + 1]
                                    + cell[3 * k + 2] * cell[3 * k + 2]));
                }
            }
        } else {
            double span2 = 0;
            for (int c = 0; c < 3; c++) {
                double lo = Double.POSITIVE_INFINITY;
                double hi = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    lo = Math.min(lo, positions[3 * i + c]);
                    hi = Math.max(hi, positions[3 * i + c]);
                }
                span2 += (hi - lo) * (hi - lo);
            }
            bound = Math.sqrt(span2);
        }
        // the cell list keeps pairs strictly within its cutoff: search a little beyond the bound
        double last = bound * (1 + 1e-9) + 1e-9;
        double[] best = {Double.POSITIVE_INFINITY};
        for (double radius = Math.min(1.5, last); ; radius = Math.min(2 * radius, last)) {
            Neighbours.forEach(this, radius, (i, j, dx, dy, dz, r2) -> best[0] = Math.min(best[0], r2));
            if (best[0] < Double.POSITIVE_INFINITY || radius >= last) {
                return Math.sqrt(best[0]);
            }
        }
    }

    /**
     * @return the volume of the cell in Å³
     * @throws IllegalStateException when the structure has no cell
     */
    public double volume() {
        if (cell == null) {
            throw new IllegalStateException(this + " has no cell, so no volume");
        }
        return Math.abs(det(cell));
    }

    /** Package-private: the cell as 9 numbers (rows are vectors), not copied, or null. */
    double @Nullable [] cellArray() {
        return cell;
    }

    /** Package-private: the inverse of the cell matrix (row-vector convention), not copied; the structure must have a cell. */
    double[] inverseCellArray() {
        return inverse();
    }

    /** Package-private: the periodic flags, not copied. */
    boolean[] pbcArray() {
        return pbc;
    }

    private double[] inverse() {
        double[] inv = inverseCell;
        if (inv == null) {
            double[] c = Objects.requireNonNull(cell, "the structure has no cell");
            double det = det(c);
            inv = new double[] {
                (c[4] * c[8] - c[5] * c[7]) / det, (c[2] * c[7] - c[1] * c[8]) / det, (c[1] * c[5] - c[2] * c[4]) / det,
                (c[5] * c[6] - c[3] * c[8]) / det, (c[0] * c[8] - c[2] * c[6]) / det, (c[2] * c[3] - c[0] * c[5]) / det,
                (c[3] * c[7] - c[4] * c[6]) / det, (c[1] * c[6] - c[0] * c[7]) / det, (c[0] * c[4] - c[1] * c[3]) / det
            };
            inverseCell = inv;
        }
        return inv;
    }

    private static double det(double[] c) {
        return c[0] * (c[4] * c[8] - c[5] * c[7])
                - c[1] * (c[3] * c[8] - c[5] * c[6])
                + c[2] * (c[3] * c[7] - c[4] * c[6]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Atoms a
                && Arrays.equals(species, a.species)
                && Arrays.equals(positions, a.positions)
                && Arrays.equals(cell, a.cell)
                && Arrays.equals(pbc, a.pbc)
                && Arrays.equals(molecules, a.molecules)
                && Double.compare(energy, a.energy) == 0
                && info.equals(a.info);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(species), Arrays.hashCode(positions), Arrays.hashCode(cell), info);
    }

    @Override
    public String toString() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String s : species) {
            counts.merge(s, 1, Integer::sum);
        }
        StringBuilder f = new StringBuilder();
        counts.forEach((k, v) -> f.append(k).append(v == 1 ? "" : v));
        return "Atoms(" + f + (cell == null ? "" : ", cell, pbc=" + Arrays.toString(pbc)) + ")";
    }
}
