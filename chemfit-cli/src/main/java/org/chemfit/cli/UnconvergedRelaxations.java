package org.chemfit.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.chemfit.EvaluationContext;
import org.chemfit.Quantities;
import org.chemfit.fit.FitListener;

/**
 * Says when the relaxation of a structure of an {@code atoms} term ends without converging within
 * its {@code steps}: the structure's energy is then the one the relaxation ended at (docs/job-file.md),
 * which a fit would otherwise use without a word. One message per term, the first time it happens
 * in a fit (or in the one evaluation of {@code eval}), naming the structure, the method, the steps,
 * the largest force left and {@code fmax}, and what to change; later ones of the same term are not
 * shown.
 *
 * <pre>{@code
 * fitter.listener(new UnconvergedRelaxations(jf.terms(), progress::note));
 * new UnconvergedRelaxations(jf.validation(), err()::println).check(validationContext, "", false);
 * }</pre>
 *
 * @implNote Thread-safe: evaluations may be reported from several threads.
 */
final class UnconvergedRelaxations implements FitListener {

    private final Map<String, JobFile.RelaxSpec> relax = new LinkedHashMap<>();
    /** Each relaxing term's unit of force: its energy unit per Å ("K/Å"). */
    private final Map<String, String> forceUnits = new LinkedHashMap<>();

    private final Consumer<String> print;
    private final Set<String> reported = new HashSet<>();

    /**
     * @param terms the terms whose evaluations are checked; only {@code atoms} terms that relax count
     * @param units the job's units: a force is in the term's energy unit per Å (K/Å for energies in K)
     * @param print where each message goes (one line, without a final line break)
     */
    UnconvergedRelaxations(List<JobFile.TermSpec> terms, JobFile.Units units, Consumer<String> print) {
        for (JobFile.TermSpec t : terms) {
            if (t.config() instanceof JobFile.AtomsConfig a && a.relax() != null) {
                relax.put(t.name(), a.relax());
                forceUnits.put(t.name(), forceUnit(units.quantity(t.name(), "energy")));
            }
        }
        this.print = print;
    }

    /** @return whether any of the terms relaxes its structures (else there is nothing to check) */
    boolean relaxes() {
        return !relax.isEmpty();
    }

    @Override
    public void onEvaluation(int number, EvaluationContext context, double loss) {
        check(context, " in evaluation " + number, true);
    }

    /**
     * @param context an evaluation of the terms (its children are the terms, theirs the structures)
     * @param when said after "did not converge" (" in evaluation 3"), or empty
     * @param more whether more evaluations follow (the message then says that later ones are not shown)
     */
    void check(EvaluationContext context, String when, boolean more) {
        for (EvaluationContext term : context.children()) {
            JobFile.RelaxSpec spec = relax.get(term.name());
            if (spec == null) {
                continue;
            }
            List<EvaluationContext> unconverged = new ArrayList<>();
            for (EvaluationContext structure : term.children()) {
                Quantities q = structure.quantities();
                if (q.contains("relax_converged") && q.get("relax_converged") == 0) {
                    unconverged.add(structure);
                }
            }
            if (!unconverged.isEmpty() && first(term.name())) {
                String m = message(
                        term.name(),
                        spec,
                        forceUnits.getOrDefault(term.name(), forceUnit("")),
                        unconverged,
                        term.children().size(),
                        when);
                print.accept(more ? m + " (later ones of this term are not shown)" : m);
            }
        }
    }

    /**
     * @param energy a term's energy unit, or "" when it declares none
     * @return its unit of force: {@code K/Å}, or {@code (energy unit)/Å} when none is declared
     */
    static String forceUnit(String energy) {
        return (energy.isEmpty() ? "(energy unit)" : energy) + "/Å";
    }

    private synchronized boolean first(String term) {
        return reported.add(term);
    }

    /**
     * @param term the term's name
     * @param spec its relax block
     * @param forceUnit the unit of its forces and fmax ("K/Å")
     * @param unconverged the structures whose relaxation did not converge (at least one)
     * @param structures how many structures the term has
     * @param when said after "did not converge"
     * @return the warning
     */
    static String message(
            String term,
            JobFile.RelaxSpec spec,
            String forceUnit,
            List<EvaluationContext> unconverged,
            int structures,
            String when) {
        EvaluationContext worst = unconverged.get(0);
        for (EvaluationContext s : unconverged) {
            if (s.quantities().get("max_force") > worst.quantities().get("max_force")) {
                worst = s;
            }
        }
        String others = unconverged.size() == 1
                ? ""
                : String.format(
                        Locale.ROOT,
                        " (%d of the term's %d structures did not converge; this one has the largest force left)",
                        unconverged.size(),
                        structures);
        return String.format(
                Locale.ROOT,
                "warning: term '%s': relaxing structure '%s' with %s did not converge within %d steps%s%s: the"
                        + " largest force left is %s %s, fmax is %s %s; its energy is used as the relaxation"
                        + " ended. Allow more steps (relax: {steps: ...}) or try method: fire",
                term,
                worst.name(),
                JobKeys.word(spec.method()),
                spec.steps(),
                when,
                others,
                Tables.fmt(worst.quantities().get("max_force")),
                forceUnit,
                Tables.fmt(spec.fmax()),
                forceUnit);
    }
}
