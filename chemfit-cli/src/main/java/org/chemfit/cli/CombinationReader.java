package org.chemfit.cli;

import static org.chemfit.cli.JobKeys.COMBINATION_KEYS;
import static org.chemfit.cli.JobKeys.FAILURE_ACTIONS;
import static org.chemfit.cli.JobKeys.REDUCERS;

import org.chemfit.FailurePolicy.Action;
import org.chemfit.Reducer;
import org.chemfit.cli.JobFile.CombinationSpec;
import org.jspecify.annotations.NullUnmarked;

/**
 * Reads the {@code combination} section: the reducer and the failure policy.
 *
 * <pre>{@code
 * CombinationSpec c = new CombinationReader(reading).read(top.entries.get("combination"));
 * }</pre>
 *
 * @implNote One instance per job file, used while it is read; not thread-safe.
 */
// Not yet checked by NullAway (docs/architecture.md, "Build gates", says why).
@NullUnmarked
final class CombinationReader {

    private final JobReading r;

    CombinationReader(JobReading reading) {
        this.r = reading;
    }

    CombinationSpec read(Node n) {
        CombinationSpec def = new CombinationSpec(Reducer.SUM, Action.RAISE, Double.NaN);
        if (n == null) {
            return def;
        }
        Node.MapNode m = r.map(n, "combination");
        if (m == null) {
            return def;
        }
        r.keys(m, "combination", COMBINATION_KEYS);
        Reducer reducer = m.entries.containsKey("reducer")
                ? r.choice(m.entries.get("reducer"), "combination reducer", REDUCERS, Reducer.class)
                : Reducer.SUM;
        Action action = m.entries.containsKey("on_failure")
                ? r.choice(m.entries.get("on_failure"), "combination on_failure", FAILURE_ACTIONS, Action.class)
                : Action.RAISE;
        double penalty = Double.NaN;
        if (action == Action.PENALTY) {
            Node p = r.require(m, "penalty", "combination (on_failure: penalty)");
            // as optimizer bad_value: a negative penalty would make a failed term look better than a loss of 0
            Double d = p == null ? null : r.nonNegative(p, "combination penalty");
            if (d != null) {
                penalty = d;
            }
        } else if (m.entries.containsKey("penalty")) {
            r.problem(
                    m.keyPlaces.get("penalty")[0],
                    m.keyPlaces.get("penalty")[1],
                    "combination penalty is used only with on_failure: penalty, but on_failure is "
                            + (action == null ? null : JobKeys.word(action)));
        }
        return new CombinationSpec(
                reducer == null ? Reducer.SUM : reducer, action == null ? Action.RAISE : action, penalty);
    }
}
