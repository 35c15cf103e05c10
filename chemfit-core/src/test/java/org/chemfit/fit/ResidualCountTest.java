package org.chemfit.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.LossFunctions;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;
import org.chemfit.ResidualLoss;
import org.junit.jupiter.api.Test;

/** A least-squares fit refuses a ResidualLoss whose number of residuals changes, naming the term. */
class ResidualCountTest {

    private static final QuantityComputer E = p -> Quantities.of("e", p.get("x"));

    /** One residual, e - 2, below e = 1; two (e - 2 and 0) from there on. */
    private static final ResidualLoss GROWING =
            q -> q.get("e") < 1 ? new double[] {q.get("e") - 2} : new double[] {q.get("e") - 2, 0.0};

    @Test
    void aChangedCountOfTheObjectiveItselfIsRefused() {
        FitFailedException e = assertThrows(
                FitFailedException.class, () -> new Fitter(E.withLoss(GROWING), Map.of("x", 0.0)).fit("least-squares"));
        String m = e.getMessage();
        assertTrue(
                m.matches("the fit failed after \\d+ evaluations: the objective gave 2 residuals at \\{x=[0-9.E-]+\\}"
                        + " \\(evaluation e\\d+\\) but 1 residual at \\{x=0\\.0\\} \\(evaluation e0\\), the first point"
                        + " with residuals: a ResidualLoss must give as many residuals, in the same order, at every"
                        + " point"),
                m);
    }

    @Test
    void aChangedCountIsRefusedNamingTheTermWhoseCountChanged() {
        var c = new CombinedObjectiveFunction(List.<ObjectiveFunction>of(
                E.withLoss(LossFunctions.squaredError(Map.of("e", 2.0))).named("steady"),
                E.withLoss(GROWING).named("growing")));
        for (String method : List.of("least-squares", "levenberg-marquardt")) {
            FitFailedException e =
                    assertThrows(FitFailedException.class, () -> new Fitter(c, Map.of("x", 0.0)).fit(method), method);
            String m = e.getMessage();
            assertTrue(m.contains(": term 'growing' gave 2 residuals at {x="), m);
            assertTrue(m.contains(" but 1 residual at {x=0.0} (evaluation e0), the first point with residuals"), m);
        }
    }

    @Test
    void aSteadyCountFitsAsBefore() {
        ResidualLoss two = q -> new double[] {q.get("e") - 2, 0.5 * (q.get("e") - 2)};
        FitResult r = new Fitter(E.withLoss(two), Map.of("x", 0.0)).fit("least-squares");
        assertEquals(2.0, r.bestParameters().get("x"), 1e-8);
        assertEquals(0.0, r.bestLoss(), 1e-12);
    }
}
