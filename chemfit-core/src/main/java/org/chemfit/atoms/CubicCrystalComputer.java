package org.chemfit.atoms;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.chemfit.ChemFitException;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;
import org.jspecify.annotations.Nullable;

/**
 * Computes the properties of a cubic crystal from its conventional cell: it finds the uniform
 * scaling of the cell (positions relaxed at each scale) at which the pressure is zero, then
 * strains the relaxed cell by ±h to get the elastic constants from the stress. A cubic supercell
 * of the conventional cell (n × n × n of it) is accepted too, and gives the same quantities: its
 * {@code lattice_constant} is the conventional cell's edge, its edge divided by n. Quantities:
 *
 * <table>
 *   <caption>Quantities of a cubic crystal</caption>
 *   <tr><th>name</th><th>meaning</th><th>unit</th></tr>
 *   <tr><td>lattice_constant</td><td>the edge of the relaxed conventional cell: V^(1/3) / n for a cell
 *       of volume V, n the largest whole number such that a translation by edge/n along x, along y
 *       and along z leaves the given structure unchanged, species by species (to 1e-3 Å, see
 *       {@link #repeats}): 1 for the conventional cell, 2 for its 2 × 2 × 2 supercell</td><td>Å</td></tr>
 *   <tr><td>volume</td><td>the relaxed volume per formula unit</td><td>Å³</td></tr>
 *   <tr><td>lattice_energy</td><td>the energy per formula unit of the relaxed crystal, relative to
 *       separated ions or atoms (the potential's zero)</td><td>eV</td></tr>
 *   <tr><td>C11, C12, C44</td><td>elastic constants, central differences of the stress under strains
 *       ε_xx = ±h and γ_yz = ±h, positions relaxed at each strain</td><td>GPa</td></tr>
 *   <tr><td>bulk_modulus</td><td>(C11 + 2 C12) / 3</td><td>GPa</td></tr>
 * </table>
 *
 * <pre>{@code
 * QuantityComputer mgo = new CubicCrystalComputer(rockSalt, 4, potential);
 * Quantities q = mgo.compute(params);   // q.get("lattice_constant"), q.get("C11"), ...
 * }</pre>
 *
 * <p>The zero-pressure volume is solved iteratively, so the elastic constants carry a noise of
 * 1e-12 to 6e-11 of their size from one parameter value to the next: a forward-difference
 * Jacobian of them needs a relative step near 1e-5 ({@code Optimizers.leastSquares(1e-5, 1e-8)}),
 * not the 1.49e-8 suited to full double precision.
 *
 * @implNote Immutable and thread-safe.
 */
public final class CubicCrystalComputer implements QuantityComputer {

    /** The strain of the finite differences. */
    static final double STRAIN = 1e-4;

    /** The largest force left on an atom of a strained cell, eV/Å ({@link #strainedRelax}). */
    static final double STRAINED_FORCE_TOLERANCE = 1e-10;

    /**
     * How far, in Å, a translated atom may lie from an atom of its species for the translation to
     * map the structure onto itself ({@link #repeats}): far above the rounding of positions written
     * with 5 decimals (5e-6 Å) and the scatter of a relaxed or DFT snapshot (about 1e-4 Å), far below
     * any distance between two atoms of a crystal (above 0.5 Å).
     */
    static final double TRANSLATION_TOLERANCE = 1e-3;

    /**
     * How far, in Å, a translated atom may lie from an atom of its species for {@link
     * #nearSupercell} to call the cell nearly a supercell: 0.05 Å, or 1% of the edge when that is
     * less; still far below any distance between two atoms of a crystal.
     */
    static final double NEAR_TOLERANCE = 0.05;

    private final Atoms cell;
    /** The cell as failures name it. */
    private final String name;

    private final int formulaUnits;
    /** How many conventional cells the given cell holds along each edge. */
    private final int repeats;

    private final Potential potential;
    private final Relax positions;
    /**
     * The relaxation of the positions in a strained cell, tighter than {@link #positions}: an elastic
     * constant is a difference of stresses over strains of 1e-4, and the positions' relaxation
     * under a shear (of the atoms that are not at centres of symmetry, as in fluorite or
     * zincblende) is a part of it that a force left of 1e-7 eV/Å cut short by 1e-4 to 4e-4 of
     * itself, C44 too stiff by up to 3e-5. L-BFGS, which converges faster than FIRE near the
     * minimum, to {@link #STRAINED_FORCE_TOLERANCE}.
     */
    private final Relax strainedRelax;

    /**
     * @param conventionalCell the conventional cubic cell (a cube, periodic along its three edges),
     *     or a supercell of n × n × n of it
     * @param formulaUnits the formula units in it (4 for rock salt, 32 for its 2 × 2 × 2 supercell)
     * @param potential the potential, which must give the stress
     * @throws IllegalArgumentException when the cell is not a periodic cube or formulaUnits is not positive
     */
    public CubicCrystalComputer(Atoms conventionalCell, int formulaUnits, Potential potential) {
        this(conventionalCell, formulaUnits, potential, String.valueOf(conventionalCell));
    }

    /**
     * @param conventionalCell the conventional cubic cell (a cube, periodic along its three edges),
     *     or a supercell of n × n × n of it
     * @param formulaUnits the formula units in it (4 for rock salt, 32 for its 2 × 2 × 2 supercell)
     * @param potential the potential, which must give the stress
     * @param name what the messages of a failed computation call the cell, such as its file
     *     ({@code data/mgo.xyz})
     * @throws IllegalArgumentException when the cell is not a periodic cube or formulaUnits is not positive
     */
    public CubicCrystalComputer(Atoms conventionalCell, int formulaUnits, Potential potential, String name) {
        this.name = Objects.requireNonNull(name, "name");
        this.cell = Objects.requireNonNull(conventionalCell, "conventionalCell");
        this.potential = Objects.requireNonNull(potential, "potential");
        if (formulaUnits < 1) {
            throw new IllegalArgumentException("the number of formula units must be positive, got " + formulaUnits);
        }
        String refused = cellProblem(cell);
        if (refused != null) {
            throw new IllegalArgumentException(refused);
        }
        this.formulaUnits = formulaUnits;
        this.repeats = repeats(cell);
        this.positions = Relax.fire().forceTolerance(1e-7);
        this.strainedRelax = Relax.lbfgs().forceTolerance(STRAINED_FORCE_TOLERANCE);
    }

    /**
     * How many conventional cells a cubic cell holds along each edge: the largest whole n such that
     * the structure, positions taken modulo the cell, is unchanged, species by species, by a
     * translation of edge/n along x, along y and along z (each atom moved lands within 1e-3 Å of an
     * atom of its species along each axis). Only an n whose cube divides the number of atoms of each
     * species can be. The conventional cell of rock salt gives 1 (edge/2 along one axis takes Na onto
     * Cl), its 2 × 2 × 2 supercell 2, also when its positions are written with 5 decimals or scattered
     * by 1e-4 Å as in a relaxed snapshot. The conventional P, I and F cells (CsCl, rock salt,
     * fluorite, zincblende, perovskite, fcc and bcc metals) give 1: no translation by a fraction of
     * their edge along one axis alone maps them onto themselves. The structure is the one given, before
     * any relaxation, so that n, and with it what {@code lattice_constant} means, is the same at every
     * parameter value.
     *
     * <pre>{@code
     * int n = CubicCrystalComputer.repeats(Xyz.read(Path.of("mgo_2x2x2.xyz")));   // 2
     * }</pre>
     *
     * @param cell a cube with edges along x, y and z ({@link #cellProblem} is null)
     * @return n, at least 1
     * @throws IllegalArgumentException when the cell is not such a cube
     */
    public static int repeats(Atoms cell) {
        String refused = cellProblem(cell);
        if (refused != null) {
            throw new IllegalArgumentException(refused);
        }
        double edge = Objects.requireNonNull(cell.cell(), "a cubic cell")[0][0];
        int common = commonCount(cell);
        for (int n = (int) Math.cbrt(common) + 1; n >= 2; n--) {
            if (divides(n, common) && deviation(cell, edge, n, TRANSLATION_TOLERANCE) <= TRANSLATION_TOLERANCE) {
                return n;
            }
        }
        return 1;
    }

    /**
     * A supercell that a cubic cell nearly is, but too far off for {@link #repeats} to take it as
     * one: its atoms repeat by a translation of edge/n along x, y and z to within 0.05 Å (or 1% of
     * the edge, when that is less), not to 1e-3 Å, as in a snapshot of molecular dynamics. Such a
     * cell is taken as given ({@code lattice_constant} is its edge divided by {@link #repeats}, the
     * whole edge for n = 1), which its user may not expect.
     *
     * <pre>{@code
     * Atoms cell = Xyz.read(Path.of("mgo_md.xyz"));
     * NearSupercell near = CubicCrystalComputer.nearSupercell(cell, CubicCrystalComputer.repeats(cell));
     * // near.repeats() == 2, near.deviation() == 0.012: taken as one cell all the same
     * }</pre>
     *
     * @param cell a cube with edges along x, y and z ({@link #cellProblem} is null)
     * @param found what {@link #repeats} gives for the cell (asked of the caller, who has it: each
     *     look at a cell compares every pair of atoms of a species)
     * @return the largest n above {@link #repeats} that the cell repeats by within the looser
     *     tolerance, with how far off it is; null when there is none
     * @throws IllegalArgumentException when the cell is not such a cube
     */
    public static @Nullable NearSupercell nearSupercell(Atoms cell, int found) {
        double edge = Objects.requireNonNull(cell.cell(), "a cubic cell")[0][0];
        double loose = Math.min(NEAR_TOLERANCE, 0.01 * edge);
        int common = commonCount(cell);
        for (int n = (int) Math.cbrt(common) + 1; n > found; n--) {
            if (divides(n, common)) {
                double off = deviation(cell, edge, n, loose);
                if (off <= loose) {
                    return new NearSupercell(n, off);
                }
            }
        }
        return null;
    }

    /**
     * A supercell a cubic cell nearly is ({@link #nearSupercell}).
     *
     * @param repeats n, for n × n × n conventional cells
     * @param deviation the largest distance in Å, along x, y or z, between an atom translated by
     *     edge/n along an axis and the atom of its species nearest to where it lands
     */
    public record NearSupercell(int repeats, double deviation) {}

    /** @return the greatest common divisor of the numbers of atoms of each species */
    private static int commonCount(Atoms cell) {
        Map<String, Integer> counts = new HashMap<>();
        for (String sp : cell.speciesList()) {
            counts.merge(sp, 1, Integer::sum);
        }
        int common = 0;
        for (int c : counts.values()) {
            common = gcd(common, c);
        }
        return common;
    }

    /** @return whether n × n × n divides the common count of the species: only such an n can be */
    private static boolean divides(int n, int common) {
        return (long) n * n * n <= common && common % (n * n * n) == 0;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /**
     * @param limit the distance beyond which the exact figure does not matter
     * @return the largest {@link #deviation(Atoms, double, double, int, double)} of the
     *     translations by edge/n along x, along y and along z; infinity as soon as one is beyond
     *     limit
     */
    private static double deviation(Atoms cell, double edge, int n, double limit) {
        double worst = 0;
        for (int axis = 0; axis < 3 && worst <= limit; axis++) {
            worst = Math.max(worst, deviation(cell, edge, edge / n, axis, limit));
        }
        return worst;
    }

    /**
     * How far the cube is from being unchanged by a translation of t along the axis: for each atom
     * translated, the atom of its species nearest to where it lands, by the largest distance along
     * x, y and z, positions taken modulo the edge; the largest of these. The first atom of its
     * species within limit is taken as the nearest, as it is when no two atoms lie within twice
     * limit of each other.
     *
     * @param limit the distance beyond which the exact figure does not matter
     * @return that distance in Å; infinity as soon as one atom lands beyond limit of every atom
     *     of its species
     */
    private static double deviation(Atoms cell, double edge, double t, int axis, double limit) {
        double[] x = cell.positionsArray();
        double worst = 0;
        for (int i = 0; i < cell.size(); i++) {
            double nearest = Double.POSITIVE_INFINITY;
            // the first atom within limit is the nearest: two atoms of a crystal are more than
            // twice the limit apart (the problems of a structure whose atoms are not are warned of)
            for (int j = 0; j < cell.size() && nearest > limit; j++) {
                if (!cell.species(j).equals(cell.species(i))) {
                    continue;
                }
                double far = 0;
                for (int k = 0; k < 3 && far < nearest; k++) {
                    double d = x[3 * j + k] - x[3 * i + k] - (k == axis ? t : 0);
                    d -= edge * Math.rint(d / edge);
                    far = Math.max(far, Math.abs(d));
                }
                nearest = Math.min(nearest, far);
            }
            if (!(nearest <= limit)) {
                return Double.POSITIVE_INFINITY;
            }
            worst = Math.max(worst, nearest);
        }
        return worst;
    }

    /**
     * Says why a structure cannot be the conventional cell of this computer, the check its
     * constructor makes, so that a reader of settings can report it where the structure is named
     * before anything is computed.
     *
     * <pre>{@code
     * String why = CubicCrystalComputer.cellProblem(Xyz.read(Path.of("mgo.xyz")));   // null for a cube
     * }</pre>
     *
     * @param cell the structure
     * @return null when it is a cube with edges along x, y and z (to 1e-9 of its edge), periodic
     *     along its three vectors; else what is wrong, with the cell's vectors
     */
    public static @Nullable String cellProblem(Atoms cell) {
        double[][] c = cell.cell();
        String needs = "a cubic crystal needs a cell periodic along its three vectors (pbc=\"T T T\"); ";
        if (c == null) {
            return needs + "the structure has no cell (no Lattice)";
        }
        boolean[] pbc = cell.pbc();
        if (!(pbc[0] && pbc[1] && pbc[2])) {
            return needs + "its pbc is \"" + (pbc[0] ? "T" : "F") + " " + (pbc[1] ? "T" : "F") + " "
                    + (pbc[2] ? "T" : "F") + "\"";
        }
        double a = c[0][0];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                if (!(Math.abs(c[i][j] - (i == j ? a : 0)) <= 1e-9 * Math.abs(a)) || !(a > 0)) {
                    return "the conventional cell must be a cube with edges along x, y and z, got "
                            + java.util.Arrays.deepToString(c);
                }
            }
        }
        return null;
    }

    /**
     * @throws ChemFitException when a relaxation does not converge or no zero-pressure volume is found
     * @throws IllegalArgumentException when the potential rejects the structure or parameters
     * @throws org.chemfit.EvaluationCancelledException when the thread is interrupted (checked at each
     *     step of the zero-pressure search and of every relaxation; the flag stays set)
     */
    @Override
    public Quantities compute(Parameters params) {
        Cancellation.check("computing the crystal ", name);
        Atoms eq = equilibrium(params);
        double energy = potential.energy(eq, params);
        double vol = eq.volume();
        if (energy == 0) {
            // a model that only repels: its pressure falls to zero only where every pair is past
            // the cutoff, a crystal of atoms that do not interact, which is no answer to fit
            throw new ChemFitException("no bound state of " + name + " at " + params + ": at zero pressure its cell"
                    + " is " + Math.cbrt(vol) + " A wide and no pair of atoms interacts (the model does not bind"
                    + " the crystal; it needs an attraction, such as Coulomb or a dispersion term)");
        }
        double[] sxx = stressAt(eq, params, 0, 0, STRAIN);
        double[] mxx = stressAt(eq, params, 0, 0, -STRAIN);
        double[] syz = stressAt(eq, params, 1, 2, STRAIN);
        double[] myz = stressAt(eq, params, 1, 2, -STRAIN);
        double c11 = (sxx[0] - mxx[0]) / (2 * STRAIN) / CellRelax.GPA;
        double c12 = ((sxx[4] - mxx[4]) + (sxx[8] - mxx[8])) / 2 / (2 * STRAIN) / CellRelax.GPA;
        double c44 = (syz[5] - myz[5]) / (2 * STRAIN) / CellRelax.GPA;
        return Quantities.builder()
                .put("lattice_constant", Math.cbrt(vol) / repeats)
                .put("volume", vol / formulaUnits)
                .put("lattice_energy", energy / formulaUnits)
                .put("C11", c11)
                .put("C12", c12)
                .put("C44", c44)
                .put("bulk_modulus", (c11 + 2 * c12) / 3)
                .build();
    }

    /**
     * The cubic cell at zero pressure: the scale s of the cell (positions relaxed at each s) where
     * the trace of the stress vanishes, found with Hipparchus's Brent solver after bracketing the
     * root. A cubic cell under uniform scaling has a one-dimensional cell problem, so a root finder
     * needs about ten evaluations where a relaxation of cell and positions together needs many more.
     */
    private Atoms equilibrium(Parameters params) {
        java.util.function.DoubleUnaryOperator trace = sc -> {
            // one step of the bracketing or of Brent's search
            Cancellation.check("the zero-pressure search of the crystal ", name);
            double[] st = new double[9];
            potential.energyForcesStress(relaxedAt(sc, params), params, null, st);
            return st[0] + st[4] + st[8];
        };
        double lo = 0.97;
        double hi = 1.03;
        double flo = trace.applyAsDouble(lo);
        double fhi = trace.applyAsDouble(hi);
        for (int k = 0; k < 40 && !(flo <= 0 && fhi >= 0); k++) {
            if (flo > 0) {
                hi = lo;
                fhi = flo;
                lo *= 0.95;
                flo = trace.applyAsDouble(lo);
            } else {
                lo = hi;
                flo = fhi;
                hi *= 1.05;
                fhi = trace.applyAsDouble(hi);
            }
        }
        if (!(flo <= 0 && fhi >= 0)) {
            throw new ChemFitException("no zero-pressure volume of " + name + " between scales " + lo + " and " + hi
                    + " of its cell at " + params + " (the model may not bind the crystal)");
        }
        double root =
                new org.hipparchus.analysis.solvers.BrentSolver(1e-15, 1e-14).solve(200, trace::applyAsDouble, lo, hi);
        return relaxedAt(root, params);
    }

    /** The cell scaled by s, positions relaxed. */
    private Atoms relaxedAt(double s, Parameters params) {
        double[] x = cell.positions();
        for (int i = 0; i < x.length; i++) {
            x[i] *= s;
        }
        double[][] c = Objects.requireNonNull(cell.cell(), "cell");
        for (double[] row : c) {
            for (int k = 0; k < 3; k++) {
                row[k] *= s;
            }
        }
        Relax.Result r = positions.run(potential, params, cell.withPositions(x).withCell(c, true, true, true));
        if (!r.converged()) {
            throw new ChemFitException(
                    "relaxing the positions of " + name + " scaled by " + s + " did not converge at " + params);
        }
        return r.atoms();
    }

    /** The stress after the strain (symmetric for a shear: γ = h split over ab and ba), positions relaxed. */
    private double[] stressAt(Atoms eq, Parameters params, int a, int b, double h) {
        double[][] c = Objects.requireNonNull(eq.cell(), "cell");
        double[] e = new double[9];
        if (a == b) {
            e[4 * a] = h;
        } else {
            e[3 * a + b] = h / 2;
            e[3 * b + a] = h / 2;
        }
        double[][] nc = new double[3][3];
        for (int r = 0; r < 3; r++) {
            for (int k = 0; k < 3; k++) {
                nc[r][k] = c[r][k] + c[r][0] * e[k] + c[r][1] * e[3 + k] + c[r][2] * e[6 + k];
            }
        }
        double[] x = eq.positions();
        double[] y = x.clone();
        for (int i = 0; i < eq.size(); i++) {
            for (int k = 0; k < 3; k++) {
                y[3 * i + k] += x[3 * i] * e[k] + x[3 * i + 1] * e[3 + k] + x[3 * i + 2] * e[6 + k];
            }
        }
        Atoms strained = eq.withPositions(y).withCell(nc, true, true, true);
        Cancellation.check("computing the elastic constants of the crystal ", name);
        Relax.Result r = strainedRelax.run(potential, params, strained);
        if (!r.converged()) {
            throw new ChemFitException(
                    "relaxing the positions of the strained crystal " + eq + " did not converge at " + params);
        }
        double[] s = new double[9];
        potential.energyForcesStress(r.atoms(), params, null, s);
        return s;
    }

    @Override
    public String toString() {
        return "CubicCrystalComputer(" + cell + ", " + formulaUnits + " formula units, " + potential + ")";
    }
}
