package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.chemfit.LossFunctions;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RelaxTest {

    static final PairPotential LJ =
            PairPotential.builder().lennardJones("Ar", "Ar", "epsilon", "sigma").build();
    static final Parameters UNIT = Parameters.of(Map.of("epsilon", 1.0, "sigma", 1.0));
    static final double R_MIN = Math.pow(2, 1.0 / 6);

    static Atoms tetrahedron(double edge, double noise, long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        double s = edge / Math.sqrt(8);
        double[][] p = {{s, s, s}, {s, -s, -s}, {-s, s, -s}, {-s, -s, s}};
        for (double[] row : p) {
            for (int c = 0; c < 3; c++) {
                row[c] += noise * rnd.nextGaussian() + 5;
            }
        }
        return Atoms.of(List.of("Ar", "Ar", "Ar", "Ar"), p);
    }

    @ParameterizedTest
    @EnumSource(Relax.Method.class)
    void dimerRelaxesToTheLennardJonesMinimum(Relax.Method method) {
        Atoms start = Atoms.of(List.of("Ar", "Ar"), new double[][] {{0, 0, 0}, {0.2, 0.1, 1.5}});
        Relax.Result r = Relax.of(method).forceTolerance(1e-8).maxSteps(2000).run(LJ, UNIT, start);
        assertTrue(r.converged(), method + " took " + r.steps() + " steps, fmax " + r.maxForce());
        assertTrue(r.maxForce() < 1e-8);
        assertEquals(R_MIN, r.atoms().distance(0, 1), 1e-9);
        assertEquals(-1.0, r.energy(), 1e-12);
        assertEquals(Math.sqrt(0.04 + 0.01 + 2.25), start.distance(0, 1), 1e-15, "the start structure is unchanged");
    }

    @ParameterizedTest
    @EnumSource(Relax.Method.class)
    void clusterRelaxesToTheTetrahedronAndReportsStructureQuantities(Relax.Method method) {
        Atoms start = tetrahedron(1.3, 0.08, 9);
        Atoms ideal = tetrahedron(R_MIN, 0, 0);
        RelaxedComputer c = new RelaxedComputer(
                start,
                LJ,
                Relax.of(method).forceTolerance(1e-7).maxSteps(3000),
                StructureQuantities.builder()
                        .distance("r01", 0, 1)
                        .rmsd("rmsd", ideal, null, false)
                        .build());
        Quantities q = c.compute(UNIT);
        assertEquals(1.0, q.get("relax_converged"), "steps " + q.get("relax_steps"));
        assertEquals(-6.0, q.get("energy"), 1e-10);
        assertEquals(R_MIN, q.get("r01"), 1e-7);
        assertTrue(q.get("rmsd") < 1e-7, "rmsd " + q.get("rmsd"));
        assertEquals(4.0, q.get("natoms"));
        assertEquals(12, q.array("forces").length);
        assertEquals(12, q.array("positions").length);
        assertTrue(q.get("max_force") < 1e-7);
    }

    @ParameterizedTest
    @EnumSource(Relax.Method.class)
    void stepsAreBoundedInNumberAndLength(Relax.Method method) {
        Atoms start = tetrahedron(1.6, 0.1, 4);
        Relax.Result one = Relax.of(method).maxStep(0.05).maxSteps(1).run(LJ, UNIT, start);
        assertEquals(1, one.steps());
        assertFalse(one.converged());
        for (int i = 0; i < 4; i++) {
            double[] a = start.position(i);
            double[] b = one.atoms().position(i);
            double d = Math.sqrt(Math.pow(a[0] - b[0], 2) + Math.pow(a[1] - b[1], 2) + Math.pow(a[2] - b[2], 2));
            assertTrue(d <= 0.05 + 1e-12, "atom " + i + " moved " + d);
        }
        Relax.Result few = Relax.of(method).maxSteps(3).run(LJ, UNIT, start);
        assertEquals(3, few.steps());
        assertFalse(few.converged());
        assertTrue(few.energy() < LJ.energy(start, UNIT), "energy went down");
        Relax.Result none = Relax.of(method).maxSteps(0).run(LJ, UNIT, start);
        assertEquals(0, none.steps());
        assertEquals(LJ.energy(start, UNIT), none.energy(), 0.0);
    }

    /** Argon's Lennard-Jones parameters (eV, Å), as a fit of argon dimers would start from. */
    static final Parameters ARGON = Parameters.of(Map.of("epsilon", 0.0104, "sigma", 3.4));

    /**
     * Starts past the inflection point of the curve (about 4.23 Å for argon), where the energy is
     * concave along the bond and moving inward makes the force grow, and inside the minimum, where it
     * is repulsive. Both methods, with their defaults (fmax 1e-5 eV/Å), reach the minimum -epsilon at
     * 2^(1/6) sigma in a few dozen steps, and agree.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(doubles = {3.6, 4.5, 5.0, 6.0, 7.0})
    void argonDimerRelaxesToTheMinimumFromTheConcaveAndTheRepulsiveRegion(double r0) {
        Atoms start = Atoms.of(List.of("Ar", "Ar"), new double[][] {{0, 0, 0}, {0, 0, r0}});
        double eps = 0.0104;
        double rMin = R_MIN * 3.4;
        // curvature of the pair energy at the minimum, 36 2^(2/3) eps / sigma^2 (eV/Å^2): a force below
        // fmax leaves the distance within fmax / k of the minimum and the energy within fmax^2 / (2k)
        double k = 36 * Math.pow(2, 2.0 / 3) * eps / (3.4 * 3.4);
        double fmax = Relax.lbfgs().forceTolerance();
        Relax.Result lbfgs = Relax.lbfgs().run(LJ, ARGON, start);
        Relax.Result fire = Relax.fire().run(LJ, ARGON, start);
        for (Relax.Result r : List.of(lbfgs, fire)) {
            assertTrue(r.converged(), "from " + r0 + " Å: " + r.steps() + " steps, fmax " + r.maxForce());
            assertTrue(r.maxForce() < fmax, "from " + r0 + " Å: fmax " + r.maxForce());
            assertEquals(-eps, r.energy(), fmax * fmax / (2 * k), "from " + r0 + " Å");
            assertEquals(rMin, r.atoms().distance(0, 1), fmax / k, "from " + r0 + " Å");
        }
        assertTrue(lbfgs.steps() < 50, "L-BFGS from " + r0 + " Å took " + lbfgs.steps() + " steps");
        assertEquals(fire.energy(), lbfgs.energy(), fmax * fmax / k, "L-BFGS and FIRE agree from " + r0 + " Å");
        assertEquals(fire.atoms().distance(0, 1), lbfgs.atoms().distance(0, 1), 2 * fmax / k);
    }

    /**
     * From 6 Å the steps of L-BFGS grow while the curvature along them is negative, but no atom moves
     * further than max_step in one step, and the energy never rises; it converges within 60 steps of
     * at most 0.05 Å (each atom has about 1.1 Å to go).
     */
    @Test
    void lbfgsStepsInTheConcaveRegionGrowUpToTheLargestStep() {
        Atoms start = Atoms.of(List.of("Ar", "Ar"), new double[][] {{0, 0, 0}, {0, 0, 6.0}});
        double maxStep = 0.05;
        Relax relax = Relax.lbfgs().maxStep(maxStep);
        Relax.Result before = relax.maxSteps(0).run(LJ, ARGON, start);
        double longest = 0;
        double first = 0;
        for (int k = 1; k <= 60 && !before.converged(); k++) {
            Relax.Result r = relax.maxSteps(k).run(LJ, ARGON, start);
            assertEquals(k, r.steps());
            for (int i = 0; i < 2; i++) {
                double[] a = before.atoms().position(i);
                double[] b = r.atoms().position(i);
                double d = Math.sqrt(Math.pow(a[0] - b[0], 2) + Math.pow(a[1] - b[1], 2) + Math.pow(a[2] - b[2], 2));
                assertTrue(d <= maxStep + 1e-12, "step " + k + ": atom " + i + " moved " + d);
                longest = Math.max(longest, d);
                first = k == 1 ? d : first;
            }
            assertTrue(r.energy() <= before.energy(), "step " + k + ": the energy rose to " + r.energy());
            before = r;
        }
        assertTrue(first < 1e-3, "the first step follows the force over 70 eV/Å^2, got " + first);
        assertEquals(maxStep, longest, 1e-12, "the steps grew to max_step");
        assertTrue(before.converged(), "fmax " + before.maxForce() + " after 60 steps");
        assertEquals(-0.0104, before.energy(), 1e-8);
    }

    @Test
    void invalidSettingsAreRejected() {
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> Relax.fire().maxSteps(-1))
                        .getMessage()
                        .contains("got -1"));
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> Relax.lbfgs().forceTolerance(0))
                        .getMessage()
                        .contains("force tolerance must be positive"));
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> Relax.lbfgs().maxStep(Double.NaN))
                        .getMessage()
                        .contains("largest step must be positive"));
    }

    @Test
    void oneComputerRelaxesConcurrentlyWithIdenticalResults() throws Exception {
        RelaxedComputer c = new RelaxedComputer(
                tetrahedron(1.4, 0.1, 2),
                LJ,
                Relax.fire().forceTolerance(1e-6),
                StructureQuantities.builder()
                        .rmsd("rmsd", tetrahedron(R_MIN, 0, 0), null, true)
                        .build());
        List<Parameters> params = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
            params.add(Parameters.of(Map.of("epsilon", 1.0 + 0.1 * (k % 4), "sigma", 1.0 + 0.05 * (k % 4))));
        }
        List<Quantities> serial = new ArrayList<>();
        for (Parameters p : params) {
            serial.add(c.compute(p));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch ready = new CountDownLatch(8);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Quantities>> futures = new ArrayList<>();
            for (Parameters p : params) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    assertTrue(go.await(10, TimeUnit.SECONDS));
                    return c.compute(p);
                }));
            }
            assertTrue(ready.await(10, TimeUnit.SECONDS), "all 8 evaluations started");
            go.countDown();
            for (int k = 0; k < 8; k++) {
                Quantities q = futures.get(k).get(30, TimeUnit.SECONDS);
                assertEquals(serial.get(k), q, "evaluation " + k);
            }
        } finally {
            pool.shutdownNow();
        }
        // each parameter set relaxed to the tetrahedron of its own sigma: energy -6 epsilon
        for (int k = 0; k < 8; k++) {
            assertEquals(-6 * params.get(k).get("epsilon"), serial.get(k).get("energy"), 1e-8);
        }
    }

    @Test
    void fitterRecoversSigmaFromARelaxedDistance() {
        double sigma = 1.2;
        RelaxedComputer c = new RelaxedComputer(
                Atoms.of(List.of("Ar", "Ar"), new double[][] {{0, 0, 0}, {0, 0, 1.6}}),
                LJ,
                Relax.lbfgs().forceTolerance(1e-10).maxSteps(500),
                StructureQuantities.builder().distance("r", 0, 1).build());
        var term = c.withLoss(LossFunctions.squaredError(Map.of("r", R_MIN * sigma)));
        FitResult r = new Fitter(term, Map.of("epsilon", 1.0, "sigma", 1.0))
                .fixed("epsilon")
                .fit("Nelder-Mead");
        assertEquals(sigma, r.bestParameters().get("sigma"), 1e-6, r.toString());
        assertArrayEquals(new double[] {1.0}, new double[] {r.bestParameters().get("epsilon")});
    }
}
