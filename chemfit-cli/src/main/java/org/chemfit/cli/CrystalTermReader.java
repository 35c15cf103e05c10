package org.chemfit.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.NullUnmarked;
import org.jspecify.annotations.Nullable;

/**
 * Reads a {@code kind: crystal} term of a job file into a {@link JobFile.CrystalConfig}. Problems
 * are reported through the job's {@link JobReading}, with the file, line and column.
 *
 * <pre>{@code
 * JobFile.CrystalConfig c = new CrystalTermReader(reading, potentialReader).read(termNode, "term 'mgo'", parameterNames);
 * }</pre>
 *
 * @implNote Not thread-safe; used by one job reader while it reads.
 */
// Not yet checked by NullAway (docs/architecture.md, "Build gates", says why).
@NullUnmarked
final class CrystalTermReader {

    /** The keys of a crystal term, besides name, kind, weight and loss. */
    static final List<String> KEYS = JobKeys.CRYSTAL_KEYS;
    /** The quantities a crystal term computes. */
    static final List<String> QUANTITIES = JobKeys.CRYSTAL_QUANTITIES;

    private final JobReading reader;
    private final PotentialReader potential;

    CrystalTermReader(JobReading reader, PotentialReader potential) {
        this.reader = reader;
        this.potential = potential;
    }

    /**
     * @param t the term's node
     * @param where the term in words ("term 'mgo'")
     * @param paramNames the parameters' names
     * @param initial the parameters' initial values by name, for the warnings about the cell
     * @return the settings, or null when a problem was reported
     */
    JobFile.@Nullable CrystalConfig read(
            Node.MapNode t, String where, Set<String> paramNames, Map<String, Double> initial) {
        Node sn = reader.require(t, "structure", where);
        Path structure = sn == null ? null : reader.path(sn, where + " structure", true);
        Integer fu = reader.optInt(t, "formula_units", where + " formula_units", 1, 1_000_000);
        if (!t.entries.containsKey("formula_units")) {
            reader.require(t, "formula_units", where);
        }
        List<JobFile.PairTermSpec> pairs = new ArrayList<>();
        Node pn = reader.require(t, "potential", where);
        List<Node> items = new ArrayList<>();
        if (pn instanceof Node.ListNode l) {
            items.addAll(l.items);
        } else if (pn != null) {
            items.add(pn);
        }
        boolean ok = !items.isEmpty();
        if (pn instanceof Node.ListNode l && l.items.isEmpty()) {
            reader.problem(pn, where + " potential must hold at least one pair term");
        }
        for (int i = 0; i < items.size(); i++) {
            String w = where + " potential" + (pn instanceof Node.ListNode ? "[" + i + "]" : "");
            Node.MapNode pm = reader.map(items.get(i), w);
            JobFile.PairTermSpec spec = pm == null ? null : potential.pairTerm(pm, w, paramNames);
            ok &= spec != null;
            if (spec != null) {
                pairs.add(spec);
            }
        }
        Map<String, double[]> reference = new LinkedHashMap<>();
        Node rn = reader.require(t, "reference", where);
        Node.MapNode rm = rn == null ? null : reader.map(rn, where + " reference");
        if (rm != null) {
            if (rm.entries.isEmpty()) {
                reader.problem(rm, where + " reference must give at least one of " + String.join(", ", QUANTITIES));
            }
            for (Map.Entry<String, Node> e : rm.entries.entrySet()) {
                if (!QUANTITIES.contains(e.getKey())) {
                    int[] place = Objects.requireNonNull(rm.keyPlaces.get(e.getKey()), "every key has a place");
                    String sug = JobReading.suggest(e.getKey(), QUANTITIES);
                    reader.problem(
                            place[0],
                            place[1],
                            where + " reference names '" + e.getKey() + "', which a crystal term does not compute"
                                    + (sug == null ? "" : " (did you mean '" + sug + "'?)") + "; it computes "
                                    + String.join(", ", QUANTITIES));
                    ok = false;
                    continue;
                }
                Double d = reader.finite(e.getValue(), where + " reference '" + e.getKey() + "'");
                if (d == null) {
                    ok = false;
                } else {
                    reference.put(e.getKey(), new double[] {d});
                }
            }
        }
        // the file is read whatever else is wrong, so that a bad parameter does not hide a bad file;
        // the checks of the cell against the potential need a potential without problems
        if (structure != null) {
            org.chemfit.atoms.Atoms cell = null;
            try {
                cell = org.chemfit.atoms.Xyz.read(structure);
            } catch (org.chemfit.atoms.InputFormatException e) {
                // said at the key that names the file, as the cell's other problems, with the file's line
                reader.problem(
                        sn,
                        where + " structure " + ((Node.Scalar) sn).value + (e.line() > 0 ? ":" + e.line() : "") + ": "
                                + e.problem());
                return null;
            } catch (RuntimeException e) {
                // a file that cannot be read is reported when the data are read
            }
            if (cell != null) {
                String shown = String.valueOf(((Node.Scalar) sn).value);
                // the crystal's computer refuses any other cell when the fit starts: said here, at the key
                String refused = org.chemfit.atoms.CubicCrystalComputer.cellProblem(cell);
                if (refused != null) {
                    reader.problem(sn, where + " structure " + shown + ": " + refused);
                    return null;
                }
                StructureChecks checks = new StructureChecks(reader);
                if (fu != null) {
                    checks.formulaUnits(t.entries.get("formula_units"), fu, cell, shown, where);
                }
                if (ok) {
                    // a species the cell does not have would drop its pair term silently; one without a
                    // charge fails the fit
                    ok &= !checks.species(
                            items,
                            pn instanceof Node.ListNode,
                            new StructureChecks.Species(
                                    new java.util.TreeSet<>(cell.speciesList()),
                                    "the structure " + shown + " does not have",
                                    "the structure " + shown + " has"),
                            where + " potential");
                    ok &= !checks.coulomb(items, pairs, cell, shown, where + " potential");
                    ok &= !checks.minimumImage(items, pairs, cell, shown, where + " potential");
                    // a cell too thin for its cutoff (two vectors nearly alike): no search of it would end
                    boolean thin = checks.tooThin(sn, pairs, cell, shown, where);
                    ok &= !thin;
                    if (!thin) {
                        ok &= !checks.samePlace(sn, pairs, cell, shown, where);
                        ok &= !checks.tooManyImages(sn, pairs, cell, shown, where);
                    }
                }
                if (ok && reader.problems.isEmpty()) {
                    Map<String, org.chemfit.atoms.Atoms> cells = Map.of(shown, cell);
                    checks.warnUnpaired(pairs, cells, "cells", where);
                    checks.warnNetCharge(pairs, pn instanceof Node.ListNode, cells, initial, "cells", where);
                    checks.warnCloseAtoms(pairs, cells, "cells", where);
                    java.util.Set<String> many = checks.warnManyImages(pairs, cells, "cells", where);
                    checks.warnPairsAtCutoff(pairs, pn instanceof Node.ListNode, cells, many, "cells", where);
                    warnNearSupercell(cell, shown, where);
                    // a crystal term computes in eV: an energy parameter declared in another unit counts as eV
                    reader.warnings.addAll(EnergyUnits.parameterMismatches(
                            pairs, items, pn instanceof Node.ListNode, reader.extras.parameters, "eV", where));
                    reader.warnings.addAll(EnergyUnits.parameterUnits(
                            pairs, items, pn instanceof Node.ListNode, reader.extras, reader.shown, where));
                }
            }
        }
        if (structure == null || fu == null || rm == null || !ok || reference.isEmpty()) {
            return null;
        }
        return new JobFile.CrystalConfig(structure, fu, pairs, reference);
    }

    /**
     * Warns of a cell that is nearly an n × n × n supercell but too far off for the crystal term
     * to take it as one (more than 1e-3 Å): its {@code lattice_constant} is then the edge of the
     * cell as given, which a user who meant a supercell does not expect; said with n and how far
     * off the cell is ({@link org.chemfit.atoms.CubicCrystalComputer#nearSupercell}).
     *
     * @param cell the structure, a cube
     * @param shown the structure's file, as the job file names it
     * @param where the term in words ("term 'mgo'")
     */
    private void warnNearSupercell(org.chemfit.atoms.Atoms cell, String shown, String where) {
        int taken = org.chemfit.atoms.CubicCrystalComputer.repeats(cell);
        org.chemfit.atoms.CubicCrystalComputer.NearSupercell near =
                org.chemfit.atoms.CubicCrystalComputer.nearSupercell(cell, taken);
        if (near == null) {
            return;
        }
        int n = near.repeats();
        reader.warnings.add(where + " structure " + shown + " is nearly a " + n + " x " + n + " x " + n
                + " supercell: its atoms repeat at edge/" + n + " to within " + Tables.fmt(near.deviation(), "Å")
                + ", more than the 0.001 Å a supercell is taken to; the cell is taken as given"
                + (taken == 1
                        ? " (lattice_constant is its whole edge)"
                        : ", as " + taken + " x " + taken + " x " + taken + " (lattice_constant is its edge / " + taken
                                + ")")
                + "; for the conventional cell's edge, place its atoms on their repeats to 0.001 Å");
    }
}
