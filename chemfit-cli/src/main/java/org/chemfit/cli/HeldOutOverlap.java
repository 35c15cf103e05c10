package org.chemfit.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.chemfit.atoms.ReferenceEntry;
import org.chemfit.cli.JobFile.TermSpec;
import org.jspecify.annotations.Nullable;

/**
 * Warns when a validation term's data repeat the fit's: its metrics, meant as held-out, are then of
 * values the fit has seen. A validation term repeats a fit term (of non-zero weight: a monitored
 * term is fitted to nothing) of the same kind when it reads the same reference file, or, row by row,
 *
 * <ul>
 *   <li>of an atoms term that computes the same energy ({@link TermsReader#sameEnergy}): a row
 *       with the same structure file (whose last frame is the structure), or a copy of it byte for
 *       byte, and the same reference energy;
 *   <li>of a crystal term: the same structure file and the same reference value of a quantity.
 * </ul>
 *
 * External terms are not compared: nothing says which structure a value of theirs is of.
 *
 * <pre>{@code
 * HeldOutOverlap.warn(reading, fitTerms, validation, top.entries.get("validation"));
 * }</pre>
 *
 * @implNote Stateless; reads no file but the structure files it compares byte for byte: the rows of
 *     the reference CSVs are those the job reader read ({@link JobReading#referenceCsvRows}).
 */
final class HeldOutOverlap {

    private HeldOutOverlap() {}

    /**
     * What a validation term repeats of the fit's terms.
     *
     * @param text what it repeats, said after the term's name
     * @param energyOnly whether only its energies repeat the fit's: it fits forces that the fit terms it
     *     repeats do not
     */
    private record Said(String text, boolean energyOnly) {}

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
            Said said = said(r, fit, v);
            if (said != null) {
                Node at = list.items.get(i);
                r.warnings.add(r.shown + ":" + at.line + ":" + at.column + ": validation term '" + v.name() + "' "
                        + said.text() + ": its " + (said.energyOnly() ? "energy " : "")
                        + "metrics are then not held out (the"
                        + " fit has seen those values) and cannot show over-fitting; " + ADVICE);
            }
        }
    }

    /** How each warning of a validation term that repeats the fit's data ends. */
    private static final String ADVICE = "hold out data the fit's terms do not hold";

    /**
     * @param warnings a job's warnings
     * @return those that say a validation term repeats the fit's data: kept with the results, whose
     *     held-out metrics they qualify
     */
    static List<String> notHeldOut(List<String> warnings) {
        return warnings.stream().filter(w -> w.endsWith(ADVICE)).toList();
    }

    /** @return what the validation term repeats of the fit's terms, or null when nothing */
    private static @Nullable Said said(JobReading r, List<TermSpec> fit, TermSpec v) {
        List<String> sameFile = new ArrayList<>();
        Set<Integer> repeated = new LinkedHashSet<>();
        Set<String> terms = new LinkedHashSet<>();
        int rows = 0;
        // whether a fit term it repeats fits forces too: else a validation term with forces holds those out
        boolean repeatsForces = false;
        for (TermSpec f : fit) {
            if (f.weight() == 0 || f.kind() != v.kind()) {
                continue;
            }
            if (v.config() instanceof JobFile.AtomsConfig va && f.config() instanceof JobFile.AtomsConfig fa) {
                // the rows as the job reader read them (none when the CSV could not be read: reported elsewhere)
                List<ReferenceEntry> vr = r.referenceCsvRows.get(va.reference());
                if (vr != null) {
                    rows = vr.size();
                }
                if (!TermsReader.sameEnergy(va, fa)) {
                    continue; // another potential, relaxation or cutoff: other data of the same structures
                }
                if (same(va.reference(), fa.reference())) {
                    sameFile.add("'" + f.name() + "'");
                    repeatsForces |= fa.forcesWeight() > 0;
                    continue;
                }
                List<ReferenceEntry> fr = r.referenceCsvRows.get(fa.reference());
                if (vr == null || fr == null) {
                    continue;
                }
                // the fit's structure files by their reference energy: a validation row with the same
                // energy repeats one when its file is the same file, or a copy of it byte for byte
                Map<Double, List<Path>> byEnergy = new java.util.HashMap<>();
                for (ReferenceEntry e : fr) {
                    byEnergy.computeIfAbsent(e.energy(), x -> new ArrayList<>()).add(e.file());
                }
                for (int k = 0; k < vr.size(); k++) {
                    ReferenceEntry e = vr.get(k);
                    List<Path> candidates = byEnergy.get(e.energy());
                    if (candidates != null && candidates.stream().anyMatch(c -> sameContent(c, e.file()))) {
                        repeated.add(k);
                        terms.add("'" + f.name() + "'");
                        repeatsForces |= fa.forcesWeight() > 0;
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
        boolean energyOnly = v.config() instanceof JobFile.AtomsConfig va && va.forcesWeight() > 0 && !repeatsForces;
        if (!sameFile.isEmpty()) {
            return new Said(
                    "reads the same reference file as fit " + (sameFile.size() == 1 ? "term " : "terms ")
                            + String.join(", ", sameFile) + " ("
                            + r.shown(((JobFile.AtomsConfig) v.config()).reference())
                            + "): "
                            + (rows == 0
                                    ? "its rows are"
                                    : rows == 1 ? "its one row is" : "all " + rows + " of its rows are")
                            + " the fit's",
                    energyOnly);
        }
        if (repeated.isEmpty()) {
            return null;
        }
        boolean one = repeated.size() == 1;
        String what = v.kind() == JobFile.TermKind.CRYSTAL
                ? " of its " + Tables.count(rows, "value") + (one ? " repeats" : " repeat")
                        + " the structure and reference value of fit "
                : " of its " + Tables.count(rows, "row") + (one ? " has" : " have")
                        + " the structure and reference value of rows of fit ";
        return new Said(
                "repeats the fit's data: " + repeated.size() + what + (terms.size() == 1 ? "term " : "terms ")
                        + String.join(", ", terms),
                energyOnly);
    }

    /** @return whether two structure files are one file, or copies of one another byte for byte */
    private static boolean sameContent(Path a, Path b) {
        if (same(a, b)) {
            return true;
        }
        try {
            return java.nio.file.Files.mismatch(a, b) == -1;
        } catch (java.io.IOException e) {
            return false;
        }
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
