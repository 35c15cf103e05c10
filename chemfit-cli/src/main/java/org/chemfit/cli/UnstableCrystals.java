package org.chemfit.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import org.chemfit.EvaluationContext;
import org.chemfit.Quantities;
import org.chemfit.fit.FitListener;
import org.jspecify.annotations.Nullable;

/**
 * Says when a {@code crystal} term's zero-pressure cell breaks the Born stability criteria of a
 * cubic crystal: C11 - C12 &gt; 0, C11 + 2 C12 &gt; 0 and C44 &gt; 0 (M. Born and K. Huang,
 * <i>Dynamical Theory of Crystal Lattices</i>, Oxford, 1954; F. Mouhat and F.-X. Coudert, Phys.
 * Rev. B 90, 224104 (2014)). Such a cell (a collapsed one, say, at parameters where a short-range
 * repulsion no longer holds the charges apart) is a stationary point the crystal would leave, and
 * its quantities, computed all the same, describe no crystal; the term is not failed, since a fit
 * may pass such parameters on its way. One message per term, the first time it happens in a fit
 * (or in the one evaluation of {@code eval}), naming the constants and the criteria broken; later
 * ones of the same term are not shown.
 *
 * <pre>{@code
 * fitter.listener(new UnstableCrystals(jf.terms(), progress::note));
 * new UnstableCrystals(jf.validation(), err()::println).check(validationContext, "", false);
 * }</pre>
 *
 * @implNote Thread-safe: evaluations may be reported from several threads.
 */
final class UnstableCrystals implements FitListener {

    private final Set<String> crystals = new HashSet<>();
    private final Consumer<String> print;
    private final Set<String> reported = new HashSet<>();

    /**
     * @param terms the terms whose evaluations are checked; only {@code crystal} terms count
     * @param print where each message goes (one line, without a final line break)
     */
    UnstableCrystals(List<JobFile.TermSpec> terms, Consumer<String> print) {
        for (JobFile.TermSpec t : terms) {
            if (t.config() instanceof JobFile.CrystalConfig) {
                crystals.add(t.name());
            }
        }
        this.print = print;
    }

    /** @return whether any of the terms is a crystal term (else there is nothing to check) */
    boolean any() {
        return !crystals.isEmpty();
    }

    @Override
    public void onEvaluation(int number, EvaluationContext context, double loss) {
        check(context, " in evaluation " + number, true);
    }

    /**
     * @param context an evaluation of the terms (its children are the terms)
     * @param when said after "the zero-pressure cell found" (" in evaluation 3"), or empty
     * @param more whether more evaluations follow (the message then says that later ones are not shown)
     */
    void check(EvaluationContext context, String when, boolean more) {
        for (EvaluationContext term : context.children()) {
            if (!crystals.contains(term.name()) || term.status() != EvaluationContext.Status.OK) {
                continue;
            }
            String m = message(term.name(), term.quantities(), when);
            if (m != null && first(term.name())) {
                print.accept(more ? m + " (later ones of this term are not shown)" : m);
            }
        }
    }

    private synchronized boolean first(String term) {
        return reported.add(term);
    }

    /**
     * @param term the term's name
     * @param q its quantities (C11, C12, C44 in GPa)
     * @param when said after "the zero-pressure cell found"
     * @return the warning, or null when the cell meets the criteria (or the constants are not known)
     */
    static @Nullable String message(String term, Quantities q, String when) {
        if (!(q.contains("C11") && q.contains("C12") && q.contains("C44"))) {
            return null;
        }
        double c11 = q.get("C11");
        double c12 = q.get("C12");
        double c44 = q.get("C44");
        List<String> broken = new ArrayList<>();
        if (!(c11 - c12 > 0)) {
            broken.add("C11 - C12 > 0");
        }
        if (!(c11 + 2 * c12 > 0)) {
            broken.add("C11 + 2 C12 > 0");
        }
        if (!(c44 > 0)) {
            broken.add("C44 > 0");
        }
        if (broken.isEmpty()) {
            return null;
        }
        return String.format(
                Locale.ROOT,
                "warning: term '%s': the zero-pressure cell found%s is not mechanically stable: C11 %s GPa,"
                        + " C12 %s GPa, C44 %s GPa break the Born stability %s %s of a cubic crystal (M. Born and"
                        + " K. Huang, Dynamical Theory of Crystal Lattices, 1954); its quantities, used as computed,"
                        + " describe a cell the crystal would leave (a collapsed one, say, where the repulsion"
                        + " does not hold the atoms apart)",
                term,
                when,
                Tables.fmt(c11),
                Tables.fmt(c12),
                Tables.fmt(c44),
                broken.size() == 1 ? "criterion" : "criteria",
                String.join(" and ", broken));
    }
}
