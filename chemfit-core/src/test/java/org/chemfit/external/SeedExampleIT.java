package org.chemfit.external;

import static org.chemfit.LossFunctions.squaredError;
import static org.chemfit.LossFunctions.sumOfSquares;
import static org.chemfit.external.OutputParsers.column;
import static org.chemfit.external.OutputParsers.lammpsThermo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.schedule.AsyncWrapperCOB;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The second example of ChemFit's documentation in Java: energy, density and RDF terms, each a
 * LAMMPS run, weighted 1.0, 0.5 and 0.2, fitted together.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SeedExampleIT {

    @TempDir
    Path work;

    private FileBasedQuantityComputer.Builder lammps(String name, String template) {
        return Argon.lammps(name, template, work).timeout(Duration.ofMinutes(2));
    }

    @Test
    void energyDensityAndRdfTermsFitTogether() {
        TestSupport.requireLammps();
        FileBasedQuantityComputer energy = lammps("energy", "in.fcc")
                .output(lammpsThermo("energy", "log.lammps", "PotEng").last())
                .build();
        FileBasedQuantityComputer density = lammps("density", "in.fcc")
                .output(lammpsThermo("density", "log.lammps", "Density").last())
                .build();
        FileBasedQuantityComputer rdf = lammps("rdf", "in.argon-md")
                .variable("temperature", 40)
                .variable("bins", 14)
                .output(column("rdf", "rdf.dat", "c_rdf[2]").all())
                .build();

        // reference data: what LAMMPS gives at the true parameters
        Parameters truth = Argon.parameters(Argon.EPSILON, Argon.SIGMA);
        double refEnergy =
                energy.compute(truth, new EvaluationContext(truth, "ref")).get("energy");
        double refDensity =
                density.compute(truth, new EvaluationContext(truth, "ref")).get("density");
        double[] refRdf =
                rdf.compute(truth, new EvaluationContext(truth, "ref")).array("rdf");

        CombinedObjectiveFunction combined = new CombinedObjectiveFunction(
                List.of(
                        energy.withLoss(
                                squaredError(Map.of("energy", refEnergy), Map.of("energy", Math.abs(refEnergy)))),
                        density.withLoss(squaredError(Map.of("density", refDensity), Map.of("density", refDensity))),
                        rdf.withLoss(sumOfSquares("rdf", refRdf, 10.0))),
                List.of(1.0, 0.5, 0.2));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        FitResult r;
        try (AsyncWrapperCOB objective = new AsyncWrapperCOB(combined, pool)) {
            Map<String, Object> start = Map.of("lj", Map.of("epsilon", 0.0115, "sigma", 3.30));
            r = new Fitter(objective, start).maxEvaluations(300).fit("BOBYQA");
        } finally {
            pool.shutdown();
        }

        String why = r.evaluations() + " evaluations, " + r.bestParameters() + ", loss " + r.bestLoss();
        assertEquals(Argon.EPSILON, r.bestParameters().get("lj.epsilon"), 1e-3 * Argon.EPSILON, why);
        assertEquals(Argon.SIGMA, r.bestParameters().get("lj.sigma"), 1e-3 * Argon.SIGMA, why);
        assertTrue(r.bestLoss() < 1e-4 * r.initialLoss(), why + " from " + r.initialLoss());
        assertEquals(List.of(1.0, 0.5, 0.2), combined.weights());
        assertEquals(3, r.breakdown().children().size());
    }
}
