package org.chemfit.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.chemfit.atoms.ReferenceCsv;
import org.chemfit.atoms.ReferenceEntry;
import org.chemfit.cli.JobFile.TermSpec;
import org.jspecify.annotations.Nullable;

/**
 * Warns when a validation term's data repeat the fit's: its metrics, meant as held-out, are then of
 * values the fit has seen. A validation term repeats a fit term (of non-zero weight: a monitored
 * term is fitted to nothing) of the same kind when it reads the same reference file, or, row by row,
 *
 * <ul>
 *   <li>of an atoms term: a row with the same structure file (whose last frame is the structure) and
 *       the same reference energy, or, when both terms name a coordinate column of the same unit, the
 *       same coordinate value and the same reference energy;
 *   <li>of a crystal term: the same structure file and the same reference value of a quantity.
 * </ul>
 *
 * External terms are not compared: nothing says which structure a value of theirs is of.
 *
 * <pre>{@code
 * HeldOutOverlap.warn(reading, fitTerms, validation, top.entries.get("validation"));
 * }</pre>
 *
 * @implNote Stateless; reads the atoms terms' reference CSVs again (not their structures).
 */
final class HeldOutOverlap {

    private HeldOutOverlap() {}

    /**
     * Adds a warning to the reading, at the validation term's line, for each validation term whose
     * data repeat a fit term's: how many of its rows, and which fit terms.
     *
     * @param r the job's reading (its warnings, units and coordinates)
     * @param fit the fit's terms
     * @param validation the validation terms
     * @param section the {@code validation} list of the job file, for the terms' lines
     */
    static void warn(JobReading r, List<TermSpec> fit, List<TermSpec> validation, @Nullable Node section) {
        if (!(section instanceof Node.ListNode list) || list.items.size() != validation.size()) {
            return; // a term that could not be read is a problem of its own
        }
        for (int i = 0; i < validation.size(); i++) {
            TermSpec v = validation.get(i);
            String said = said(r, fit, v);
            if (said != null) {
                Node at = list.items.get(i);
                r.warnings.add(r.shown + ":" + at.line + ":" + at.column + ": validation term '" + v.name() + "' "
                        + said + ": its metrics are then not held out (the fit has seen those values) and cannot show"
                        + " over-fitting; hold out data the fit's terms do not hold");
            }
        }
    }

    /** @return what the validation term repeats of the fit's terms, or null when nothing */
    private static @Nullable String said(JobReading r, List<TermSpec> fit, TermSpec v) {
        List<String> sameFile = new ArrayList<>();
        Set<Integer> repeated = new LinkedHashSet<>();
        Set<String> terms = new LinkedHashSet<>();
        int rows = 0;
        for (TermSpec f : fit) {
            if (f.weight() == 0 || f.kind() != v.kind()) {
                continue;
            }
            if (v.config() instanceof JobFile.AtomsConfig va && f.config() instanceof JobFile.AtomsConfig fa) {
                Rows vr = rows(r, v.name(), va.reference());
                if (vr != null) {
                    rows = vr.entries().size();
                }
                if (same(va.reference(), fa.reference())) {
                    sameFile.add("'" + f.name() + "'");
                    continue;
                }
                Rows fr = rows(r, f.name(), fa.reference());
                if (vr == null || fr == null) {
                    continue;
                }
                // coordinate values are compared only when both terms have them, in one unit
                JobFile.Coordinate vu = r.extras.coordinates.get(v.name());
                JobFile.Coordinate fu = r.extras.coordinates.get(f.name());
                boolean oneUnit = vu != null && fu != null && java.util.Objects.equals(vu.unit(), fu.unit());
                double[] vco = oneUnit ? vr.coordinate() : null;
                double[] fco = oneUnit ? fr.coordinate() : null;
                Set<String> byFile = new java.util.HashSet<>();
                Set<String> byCoordinate = new java.util.HashSet<>();
                for (int k = 0; k < fr.entries().size(); k++) {
                    ReferenceEntry e = fr.entries().get(k);
                    byFile.add(key(e.file(), e.energy()));
                    if (vco != null && fco != null) {
                        byCoordinate.add(fco[k] + "\0" + e.energy());
                    }
                }
                for (int k = 0; k < vr.entries().size(); k++) {
                    ReferenceEntry e = vr.entries().get(k);
                    if (byFile.contains(key(e.file(), e.energy()))
                            || (vco != null && byCoordinate.contains(vco[k] + "\0" + e.energy()))) {
                        repeated.add(k);
                        terms.add("'" + f.name() + "'");
                    }
                }
            } else if (v.config() instanceof JobFile.CrystalConfig vc
                    && f.config() instanceof JobFile.CrystalConfig fc) {
                if (!same(vc.structure(), fc.structure())) {
                    continue;
                }
                rows = vc.reference().values().stream().mapToInt(a -> a.length).sum();
                int k = 0;
                for (Map.Entry<String, double[]> q : vc.reference().entrySet()) {
                    double[] theirs = fc.reference().get(q.getKey());
                    for (int j = 0; j < q.getValue().length; j++, k++) {
                        if (theirs != null && j < theirs.length && theirs[j] == q.getValue()[j]) {
                            repeated.add(k);
                            terms.add("'" + f.name() + "'");
                        }
                    }
                }
            }
        }
        if (!sameFile.isEmpty()) {
            return "reads the same reference file as fit " + (sameFile.size() == 1 ? "term " : "terms ")
                    + String.join(", ", sameFile) + " (" + r.shown(((JobFile.AtomsConfig) v.config()).reference())
                    + "): "
                    + (rows == 0 ? "its rows are" : rows == 1 ? "its one row is" : "all " + rows + " of its rows are")
                    + " the fit's";
        }
        if (repeated.isEmpty()) {
            return null;
        }
        String what = v.kind() == JobFile.TermKind.CRYSTAL
                ? " of its " + Tables.count(rows, "value") + " repeat the structure and reference value of fit "
                : " of its " + Tables.count(rows, "row") + " have the structure and reference value of rows of fit ";
        return "repeats the fit's data: " + repeated.size() + what + (terms.size() == 1 ? "term " : "terms ")
                + String.join(", ", terms);
    }

    /** A reference CSV's rows and, when the term names a coordinate column, its values (in row order). */
    private record Rows(List<ReferenceEntry> entries, double @Nullable [] coordinate) {}

    /** @return the rows of an atoms term's reference CSV, or null when it cannot be read (reported elsewhere) */
    private static @Nullable Rows rows(JobReading r, String term, Path csv) {
        try {
            List<ReferenceEntry> entries = ReferenceCsv.read(csv);
            JobFile.Coordinate c = r.extras.coordinates.get(term);
            double[] values = c == null ? null : ReferenceCsv.column(csv, c.column());
            return new Rows(entries, values != null && values.length == entries.size() ? values : null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** @return a row's key: its structure file, as one path whatever way it is written, and its reference */
    private static String key(Path file, double reference) {
        return file.toAbsolutePath().normalize() + "\0" + reference;
    }

    /** @return whether two paths name one file */
    private static boolean same(Path a, Path b) {
        Path x = a.toAbsolutePath().normalize();
        Path y = b.toAbsolutePath().normalize();
        if (x.equals(y)) {
            return true;
        }
        try {
            return java.nio.file.Files.isSameFile(x, y);
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
