package org.chemfit.cli;

import static org.chemfit.cli.JobKeys.COULOMB_METHODS;
import static org.chemfit.cli.JobKeys.FINITE_HINT;
import static org.chemfit.cli.JobKeys.FORMS;
import static org.chemfit.cli.JobKeys.FORM_PARAMETERS;
import static org.chemfit.cli.JobKeys.PAIR_KEYS;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.chemfit.atoms.PairPotential.CoulombMethod;
import org.chemfit.atoms.ParameterRef;
import org.chemfit.support.DecimalText;
import org.jspecify.annotations.NullUnmarked;

/**
 * Reads the pair terms of a potential (lennard_jones, morse, buckingham, coulomb), shared by atoms
 * and crystal terms; a value a potential takes from the parameters must name a parameter of the job.
 *
 * <pre>{@code
 * JobFile.PairTermSpec lj = new PotentialReader(reading).pairTerm(pairNode, "term 'ar2' potential", parameterNames);
 * }</pre>
 *
 * @implNote One instance per job file, used while it is read; not thread-safe.
 */
// Not yet checked by NullAway (docs/architecture.md, "Build gates", says why).
@NullUnmarked
final class PotentialReader {

    private final JobReading r;

    PotentialReader(JobReading reading) {
        this.r = reading;
    }

    private static final Pattern NAME = Pattern.compile("[\\p{L}_][^*\\s]*");

    JobFile.PairTermSpec pairTerm(Node.MapNode pm, String w, Set<String> paramNames) {
        String form = r.choice(r.requireSelector(pm, "form", w, JobKeys.EVERY_PAIR_KEY), w + " form", FORMS);
        List<String> known = new ArrayList<>(PAIR_KEYS);
        known.addAll(form == null ? List.of() : FORM_PARAMETERS.get(form));
        // without a form, any form's keys are taken, so that a misspelt one ("from") is named
        r.keys(pm, form == null ? w : w + " (" + form + ")", form == null ? JobKeys.EVERY_PAIR_KEY : known);
        String a = "*";
        String b = "*";
        Node sp = pm.entries.get("species");
        if (sp != null) {
            if ("coulomb".equals(form)) {
                r.problem(
                        sp, w + " species does not apply to coulomb, which gives a charge per species under 'charges'");
            } else if (sp instanceof Node.ListNode l && l.items.size() == 2) {
                a = r.string(l.items.get(0), w + " species[0]");
                b = r.string(l.items.get(1), w + " species[1]");
            } else {
                r.problem(
                        sp,
                        w + " species must be a list of two species, such as [Ar, Ar] ('*' for any), got "
                                + (sp instanceof Node.ListNode l ? "a list of " + l.items.size() : sp.kind()));
                a = null;
            }
        }
        double cutoff = Double.POSITIVE_INFINITY;
        // a cutoff given but unreadable is reported once, not taken for no cutoff by the checks after
        boolean cutoffRead = true;
        if (pm.entries.containsKey("cutoff")) {
            Double c = r.positive(pm.entries.get("cutoff"), w + " cutoff");
            cutoff = c == null ? cutoff : c;
            cutoffRead = c != null;
        }
        boolean shifted = pm.entries.containsKey("shifted")
                && Boolean.TRUE.equals(r.bool(pm.entries.get("shifted"), w + " shifted"));
        if (shifted && !pm.entries.containsKey("cutoff")) {
            r.problem(pm.entries.get("shifted"), w + " shifted needs a cutoff (the energy is shifted to zero there)");
        }
        if (form == null) {
            return null;
        }
        Map<String, ParameterRef> params = new LinkedHashMap<>();
        boolean ok = a != null && b != null && cutoffRead;
        if (form.equals("coulomb")) {
            Node cn = r.require(pm, "charges", w);
            Node.MapNode cm = cn == null ? null : r.map(cn, w + " charges");
            if (cm == null) {
                return null;
            }
            if (cm.entries.isEmpty()) {
                r.problem(cm, w + " charges must give the charge of at least one species");
            }
            for (Map.Entry<String, Node> e : cm.entries.entrySet()) {
                ParameterRef ref = reference(e.getValue(), w + " charge of '" + e.getKey() + "'", paramNames, false);
                ok &= ref != null;
                params.put(e.getKey(), ref);
            }
            CoulombMethod method = pm.entries.containsKey("method")
                    ? r.choice(pm.entries.get("method"), w + " method", COULOMB_METHODS, CoulombMethod.class)
                    : CoulombMethod.DIRECT;
            double tolerance = JobFile.PairTermSpec.DEFAULT_EWALD_TOLERANCE;
            if (pm.entries.containsKey("tolerance")) {
                Double t = r.positive(pm.entries.get("tolerance"), w + " tolerance");
                if (method != CoulombMethod.EWALD) {
                    r.problem(pm.entries.get("tolerance"), w + " tolerance applies to method: ewald only");
                } else if (t != null && t > 1e-2) {
                    r.problem(pm.entries.get("tolerance"), w + " tolerance must be at most 0.01, got " + t);
                } else if (t != null) {
                    tolerance = t;
                }
            }
            double alpha = 0;
            if (method == CoulombMethod.DSF) {
                // the damped shifted force sum: a damping alpha and a cutoff, both required
                Node an = r.require(pm, "alpha", w + " (method dsf)");
                Double al = an == null ? null : r.nonNegative(an, w + " alpha");
                ok &= al != null;
                alpha = al == null ? 0 : al;
                if (!pm.entries.containsKey("cutoff")) {
                    r.problem(pm, w + " method dsf needs a cutoff (the damped shifted force sum goes to zero there)");
                    ok = false;
                }
                if (shifted) {
                    r.problem(
                            pm.entries.get("shifted"),
                            w + " shifted does not apply to method: dsf, whose energy and force are"
                                    + " already zero at the cutoff");
                }
            } else if (pm.entries.containsKey("alpha")) {
                r.problem(pm.entries.get("alpha"), w + " alpha applies to method: dsf only");
            }
            if (method != null
                    && method != CoulombMethod.DIRECT
                    && method != CoulombMethod.DSF
                    && pm.entries.containsKey("cutoff")) {
                r.problem(
                        pm.entries.get("cutoff"),
                        w + " cutoff applies to methods direct and dsf only (ewald derives its cutoffs"
                                + " from the tolerance)");
            }
            return ok && method != null
                    ? new JobFile.PairTermSpec(
                            JobFile.PairForm.COULOMB, a, b, params, cutoff, shifted, method, tolerance, alpha)
                    : null;
        } else {
            for (String k : FORM_PARAMETERS.get(form)) {
                Node v = r.require(pm, k, w + " (" + form + ")");
                // Buckingham's dispersion C may be zero (many oxide potentials have no cation-anion C)
                ParameterRef ref = v == null
                        ? null
                        : reference(v, w + " " + k, paramNames, !(form.equals("buckingham") && k.equals("C")));
                ok &= ref != null;
                params.put(k, ref);
            }
        }
        return ok
                ? new JobFile.PairTermSpec(
                        JobKeys.constant(JobFile.PairForm.class, form), a, b, params, cutoff, shifted)
                : null;
    }

    /**
     * Reads a value a potential takes from the parameters: a number, a parameter name, or
     * factor*name ("-2*qH"); a name must be a parameter of the job.
     *
     * @return the library's reference to the value, or null when a problem was reported
     */
    private ParameterRef reference(Node n, String where, Set<String> paramNames, boolean positiveConstant) {
        if (n instanceof Node.Scalar s && s.value instanceof Number num) {
            double d = num.doubleValue();
            if (!Double.isFinite(d) || positiveConstant && d <= 0) {
                r.problem(
                        n,
                        where + " must be " + (positiveConstant ? "positive" : "finite") + ", got " + JobReading.fmt(d)
                                + (Double.isFinite(d) ? "" : FINITE_HINT));
                return null;
            }
            return ParameterRef.constant(d);
        }
        String text = n instanceof Node.Scalar s && s.value instanceof String str ? str.trim() : null;
        if (text == null) {
            r.problem(n, where + " must be a number, a parameter name or factor*name (such as -2*qH), got " + n.kind());
            return null;
        }
        String name = text;
        String factor = null;
        int star = text.indexOf('*');
        if (star >= 0) {
            String left = text.substring(0, star).trim();
            String right = text.substring(star + 1).trim();
            if (isNumber(left) && !isNumber(right)) {
                name = right;
                factor = left;
            } else if (isNumber(right) && !isNumber(left)) {
                name = left;
                factor = right;
            } else {
                name = null;
            }
        }
        if (name == null || !NAME.matcher(name).matches()) {
            r.problem(
                    n,
                    where + " must be a number, a parameter name or factor*name (such as -2*qH), got '" + text + "'");
            return null;
        }
        if (!paramNames.isEmpty() && !paramNames.contains(name)) {
            String sug = JobReading.suggest(name, paramNames);
            r.problem(
                    n,
                    where + " names unknown parameter '" + name + "'"
                            + (sug == null ? "" : " (did you mean '" + sug + "'?)") + "; parameters: "
                            + String.join(", ", paramNames));
            return null;
        }
        try {
            return ParameterRef.parse(text);
        } catch (IllegalArgumentException e) {
            // a factor that is a number to Java but not one of the job file's: not finite (Infinity*qH), not
            // decimal (2d*qH, 0x1p3*qH) or beyond the job file's limit (1e200*qH)
            String rule = factor == null ? "" : DecimalText.rule(factor);
            r.problem(
                    n,
                    rule.isEmpty()
                            ? where
                                    + " must be a number, a parameter name or factor*name with a finite factor (such as"
                                    + " -2*qH), got '" + text + "'"
                            : where + " factor must be a finite number" + rule + ", got '" + text + "'");
            return null;
        }
    }

    /** @return whether Java reads the text as a number: what is not a name in factor*name */
    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
