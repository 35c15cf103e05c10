package org.chemfit.atoms;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.chemfit.Bounds;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;

/**
 * A timing harness for docs/benchmarks.md (not a unit test: nothing here is asserted). Prints the
 * median of several repetitions after a warm-up.
 */
public final class AtomisticTiming {

    private AtomisticTiming() {}

    static double medianMicros(Runnable r, int inner, int reps) {
        for (int w = 0; w < 3; w++) {
            for (int k = 0; k < inner; k++) {
                r.run();
            }
        }
        double[] t = new double[reps];
        for (int rep = 0; rep < reps; rep++) {
            long t0 = System.nanoTime();
            for (int k = 0; k < inner; k++) {
                r.run();
            }
            t[rep] = (System.nanoTime() - t0) / 1e3 / inner;
        }
        java.util.Arrays.sort(t);
        return t[reps / 2];
    }

    static double fastestMicros(Runnable r, int inner, int reps) {
        for (int w = 0; w < 3; w++) {
            for (int k = 0; k < inner; k++) {
                r.run();
            }
        }
        // CPU time of this thread: time spent descheduled by other jobs on a shared machine is not counted
        java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        double best = Double.POSITIVE_INFINITY;
        for (int rep = 0; rep < reps; rep++) {
            long t0 = bean.getCurrentThreadCpuTime();
            for (int k = 0; k < inner; k++) {
                r.run();
            }
            best = Math.min(best, (bean.getCurrentThreadCpuTime() - t0) / 1e3 / inner);
        }
        return best;
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("scaling")) {
            scaling();
            return;
        }
        Path data = args.length > 0 ? Path.of(args[0]) : ExampleData.example("water-dimer");
        PairPotential water = WaterDimerFitTest.TIP3P_FORM;
        Parameters tip3p = Parameters.of(WaterDimerFitTest.tip3p());
        Atoms dimer = Xyz.read(data.resolve("atoms_3.0.xyz")).withConsecutiveMolecules(3);
        double[] f = new double[18];
        System.out.printf(
                "water dimer energy+forces: %.2f us%n",
                medianMicros(() -> water.energyAndForces(dimer, tip3p, f), 20000, 7));

        CombinedObjectiveFunction train = AtomisticTerms.fromCsv(data.resolve("energies.csv"), water)
                .moleculeSize(3)
                .combined();
        System.out.printf("water objective, 20 terms: %.2f us%n", medianMicros(() -> train.evaluate(tip3p), 2000, 7));

        Bounds b = Bounds.builder()
                .between("epsilon", 0.001, 0.05)
                .between("sigma", 2.5, 4.0)
                .between("qH", 0.3, 0.6)
                .build();
        for (String m : List.of("BOBYQA", "Nelder-Mead", "Powell")) {
            long t0 = System.nanoTime();
            FitResult r = new Fitter(train, WaterDimerFitTest.tip3p())
                    .bounds(b)
                    .maxEvaluations(2000)
                    .fit(m);
            System.out.printf(
                    "water fit %s: %d evaluations, %.0f ms%n", m, r.evaluations(), (System.nanoTime() - t0) / 1e6);
        }

        scaling();
    }

    /** LJ energy + forces with a cutoff, 108 to 10,000 atoms: the cost per atom, beside the all-pairs loop. */
    static void scaling() {
        PairPotential lj = PairPotential.builder()
                .lennardJones("Ar", "Ar", ParameterRef.of("epsilon"), ParameterRef.of("sigma"), 8.5, true)
                .build();
        Parameters ar = Parameters.of(Map.of("epsilon", 0.0104, "sigma", 3.40));
        // the loop over all N(N-1)/2 pairs that every periodic pair term used before the cell list
        PairPotential allPairs = PairPotential.builder()
                .lennardJones("Ar", "Ar", "epsilon", "sigma")
                .build();
        double perAtom0 = 0;
        for (int n : new int[] {108, 500, 1000, 4000, 10000}) {
            Atoms bulk = argon(n);
            double[] fb = new double[3 * n];
            // the least CPU time of 15 repetitions: on a shared machine the load only ever adds time
            double us = fastestMicros(() -> lj.energyAndForces(bulk, ar, fb), Math.max(3, 20000 / n), 15);
            if (perAtom0 == 0) {
                perAtom0 = us / n;
            }
            System.out.printf(
                    "LJ argon, %d atoms, periodic, cutoff 8.5 A: %.1f us, %.3f us/atom, %.2f x the 108-atom cost per atom%n",
                    n, us, us / n, us / n / perAtom0);
            if (n <= 4000) {
                double all = fastestMicros(() -> allPairs.energyAndForces(bulk, ar, fb), Math.max(1, 2000 / n), 5);
                System.out.printf(
                        "  all N(N-1)/2 pairs (minimum image, no cutoff), same structure: %.1f us, %.3f us/atom%n",
                        all, all / n);
            }
        }
    }

    /** n argon atoms on a jiggled simple-cubic lattice (spacing 3.8 Å) in a periodic cube. */
    static Atoms argon(int n) {
        Random rnd = new Random(1);
        int side = (int) Math.ceil(Math.cbrt(n));
        double a = 3.8;
        List<String> s = new ArrayList<>();
        double[][] p = new double[n][];
        for (int i = 0; i < n; i++) {
            s.add("Ar");
            p[i] = new double[] {
                a * (i % side) + 0.1 * rnd.nextGaussian(),
                a * ((i / side) % side) + 0.1 * rnd.nextGaussian(),
                a * (i / (side * side)) + 0.1 * rnd.nextGaussian()
            };
        }
        double box = a * side;
        return Atoms.of(s, p).withCell(new double[][] {{box, 0, 0}, {0, box, 0}, {0, 0, box}}, true, true, true);
    }
}
