package org.chemfit.atoms;

import static org.chemfit.testfixtures.LennardJonesClusters.EPS;
import static org.chemfit.testfixtures.LennardJonesClusters.SIGMA;
import static org.chemfit.testfixtures.LennardJonesClusters.TETRAMER;
import static org.chemfit.testfixtures.LennardJonesClusters.TRIMER;
import static org.chemfit.testfixtures.LennardJonesClusters.energy;
import static org.chemfit.testfixtures.LennardJonesClusters.forces;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.Residuals;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Force matching: reference forces read from the {@code forces:R:3} column of extended XYZ files
 * ({@link Xyz#readForces}) and fitted beside the energies ({@link AtomisticTerms.Builder#forces}).
 * The references are a Lennard-Jones trimer and tetramer of argon-like parameters (epsilon = 0.0104
 * eV, sigma = 3.40 Å), their energies and forces worked out from the pair formula
 * ({@link org.chemfit.testfixtures.LennardJonesClusters})
 * {@code E = sum 4 eps ((s/r)^12 - (s/r)^6)}, {@code F_i = sum_j 24 eps (2 (s/r)^12 - (s/r)^6) (r_i - r_j) / r^2}.
 */
class ForceMatchingTest {

    static final PairPotential LJ =
            PairPotential.builder().lennardJones("Ar", "Ar", "epsilon", "sigma").build();

    @TempDir
    Path dir;

    /** Writes the cluster as extended XYZ with a forces column of the given name. */
    static void write(Path file, double[][] x, double[] f, String forcesName) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append(x.length).append('\n');
        sb.append("Properties=species:S:1:pos:R:3:").append(forcesName).append(":R:3 pbc=\"F F F\"\n");
        for (int i = 0; i < x.length; i++) {
            sb.append(String.format(
                    Locale.ROOT,
                    "Ar %s %s %s %s %s %s%n",
                    x[i][0],
                    x[i][1],
                    x[i][2],
                    f[3 * i],
                    f[3 * i + 1],
                    f[3 * i + 2]));
        }
        Files.writeString(file, sb);
    }

    /** The trimer (forces:R:3) and the tetramer (force:R:3, as some writers name it) with their reference CSV. */
    Path references() throws IOException {
        write(dir.resolve("trimer.xyz"), TRIMER, forces(TRIMER, EPS, SIGMA), "forces");
        write(dir.resolve("tetramer.xyz"), TETRAMER, forces(TETRAMER, EPS, SIGMA), "force");
        Path csv = dir.resolve("ref.csv");
        Files.writeString(
                csv,
                "file,reference_energy,tag\ntrimer.xyz," + energy(TRIMER, EPS, SIGMA) + ",trimer\ntetramer.xyz,"
                        + energy(TETRAMER, EPS, SIGMA) + ",tetramer\n");
        return csv;
    }

    @Test
    void readsTheForcesColumnUnderEitherName() throws IOException {
        references();
        assertArrayEquals(forces(TRIMER, EPS, SIGMA), Xyz.readForces(dir.resolve("trimer.xyz")), 0.0);
        assertArrayEquals(forces(TETRAMER, EPS, SIGMA), Xyz.readForces(dir.resolve("tetramer.xyz")), 0.0);
        // the forces are the model's at the reference parameters, as SinglePointComputer computes them
        Parameters p = Parameters.of(Map.of("epsilon", EPS, "sigma", SIGMA));
        double[] model = new SinglePointComputer(Xyz.read(dir.resolve("tetramer.xyz")), LJ)
                .compute(p)
                .array("forces");
        assertArrayEquals(forces(TETRAMER, EPS, SIGMA), model, 1e-15);
    }

    /**
     * One parse of a file gives both what {@link Xyz#read} and {@link Xyz#readForces} give, and the
     * forces' refusal with the same line and words.
     */
    @Test
    void theLastFrameReadOnceGivesTheStructureAndTheForces() throws IOException {
        references();
        Path tetramer = dir.resolve("tetramer.xyz");
        Xyz.LastFrame last = Xyz.readLast(tetramer);
        assertEquals(Xyz.read(tetramer).speciesList(), last.atoms().speciesList());
        assertArrayEquals(Xyz.read(tetramer).positions(), last.atoms().positions(), 0.0);
        assertArrayEquals(forces(TETRAMER, EPS, SIGMA), last.forces(), 0.0);
        // each call a new array: one caller's change reaches no other
        last.forces()[0] = 99;
        assertArrayEquals(forces(TETRAMER, EPS, SIGMA), last.forces(), 0.0);
        Path plain = dir.resolve("plain.xyz");
        Files.writeString(plain, "1\nan atom\nAr 0 0 0\n");
        Xyz.LastFrame noForces = Xyz.readLast(plain);
        assertEquals(List.of("Ar"), noForces.atoms().speciesList());
        InputFormatException once = assertThrows(InputFormatException.class, noForces::forces);
        InputFormatException alone = assertThrows(InputFormatException.class, () -> Xyz.readForces(plain));
        assertEquals(2, once.line());
        assertEquals(alone.line(), once.line());
        assertEquals(alone.getMessage(), once.getMessage());
        assertEquals(
                "expected per-atom reference forces, a column forces:R:3 (or force:R:3) in the extended XYZ"
                        + " Properties=, got a comment line without Properties=: 'an atom'",
                once.problem());
    }

    @Test
    void theLossOfAStructureIsItsEnergyLossPlusTheWeightTimesItsForcesLoss() throws IOException {
        Path csv = references();
        double w = 0.25;
        CombinedObjectiveFunction ob = AtomisticTerms.fromCsv(csv, LJ).forces(w).combined();
        double eps = 0.012;
        double sigma = 3.3;
        Parameters p = Parameters.of(Map.of("epsilon", eps, "sigma", sigma));
        double expected = 0;
        for (double[][] x : List.of(TRIMER, TETRAMER)) {
            double de = energy(x, eps, sigma) - energy(x, EPS, SIGMA);
            double[] fm = forces(x, eps, sigma);
            double[] fr = forces(x, EPS, SIGMA);
            double sf = 0;
            for (int i = 0; i < fm.length; i++) {
                sf += (fm[i] - fr[i]) * (fm[i] - fr[i]);
            }
            expected += de * de + w * sf;
        }
        assertTrue(expected > 1e-6, "the point is off the reference: " + expected);
        assertEquals(expected, ob.evaluate(p), 1e-12 * expected);

        // a least-squares method sees one residual per energy and one per force component
        EvaluationContext ctx = new EvaluationContext(p, "forces");
        double loss = ob.evaluate(p, ctx);
        double[] r = Residuals.of(ob, ctx);
        assertEquals((1 + 9) + (1 + 12), r.length);
        double sum = 0;
        for (double d : r) {
            sum += d * d;
        }
        assertEquals(loss, sum, 1e-12 * loss);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Nelder-Mead", "least-squares"})
    void energiesAndForcesRecoverEpsilonAndSigmaFromAWrongStart(String method) throws IOException {
        Path csv = references();
        CombinedObjectiveFunction ob =
                AtomisticTerms.fromCsv(csv, LJ).forces(0.5).combined();
        assertEquals(0.0, ob.evaluate(Parameters.of(Map.of("epsilon", EPS, "sigma", SIGMA))), 1e-28);

        FitResult r = new Fitter(ob, Map.of("epsilon", 0.02, "sigma", 3.0))
                .maxEvaluations(20000)
                .fit(method);

        assertTrue(r.initialLoss() > 1e-3, "the start is far off: " + r.initialLoss());
        assertEquals(EPS, r.bestParameters().get("epsilon"), 1e-6 * EPS, r.toString());
        assertEquals(SIGMA, r.bestParameters().get("sigma"), 1e-6 * SIGMA, r.toString());
    }

    @Test
    void aStructureWithoutForcesIsRefusedNamingTheFileLineAndCsvLine() throws IOException {
        Path csv = references();
        Xyz.write(dir.resolve("trimer.xyz"), List.of(Atoms.of(List.of("Ar", "Ar", "Ar"), TRIMER)));
        InputFormatException e = assertThrows(
                InputFormatException.class,
                () -> AtomisticTerms.fromCsv(csv, LJ).forces(1).terms());
        assertEquals(dir.resolve("trimer.xyz").toAbsolutePath().normalize(), e.file());
        assertEquals(2, e.line());
        assertEquals(
                "expected per-atom reference forces, a column forces:R:3 (or force:R:3) in the extended XYZ"
                        + " Properties=, got 'Properties=species:S:1:pos:R:3' (CSV line 2, tag 'trimer')",
                e.problem());
    }

    @Test
    void aForcesColumnOfAnotherCountOrTypeIsRefusedAtTheCommentLine() throws IOException {
        Path f = dir.resolve("two.xyz");
        Files.writeString(
                f, "1\nfirst\nAr 0 0 0\n2\nProperties=species:S:1:pos:R:3:forces:R:2\nAr 0 0 0 1 2\nAr 4 0 0 3 4\n");
        InputFormatException e = assertThrows(InputFormatException.class, () -> Xyz.readForces(f));
        assertEquals(5, e.line());
        assertEquals(
                "expected forces:R:3 in Properties= (3 real numbers, the force on the atom along x, y and z), got"
                        + " forces:R:2",
                e.problem());
        Files.writeString(f, "1\nProperties=species:S:1:pos:R:3:force:I:3\nAr 0 0 0 1 2 3\n");
        assertEquals(
                "expected force:R:3 in Properties= (3 real numbers, the force on the atom along x, y and z), got"
                        + " force:I:3",
                assertThrows(InputFormatException.class, () -> Xyz.readForces(f))
                        .problem());
        Files.writeString(f, "1\nProperties=species:S:1:pos:R:3:forces:R:3:force:R:3\nAr 0 0 0 1 2 3 1 2 3\n");
        assertEquals(
                "expected one forces column in Properties=, got both 'forces' and 'force':"
                        + " 'species:S:1:pos:R:3:forces:R:3:force:R:3'",
                assertThrows(InputFormatException.class, () -> Xyz.readForces(f))
                        .problem());
        Files.writeString(f, "1\nenergy=-1.0\nAr 0 0 0\n");
        assertEquals(
                "expected per-atom reference forces, a column forces:R:3 (or force:R:3) in the extended XYZ"
                        + " Properties=, got a comment line without Properties=: 'energy=-1.0'",
                assertThrows(InputFormatException.class, () -> Xyz.readForces(f))
                        .problem());
    }

    @Test
    void aForceThatIsNotFiniteIsRefusedAtItsAtomLine() throws IOException {
        Path f = dir.resolve("nan.xyz");
        Files.writeString(f, "2\nProperties=species:S:1:pos:R:3:forces:R:3\nAr 0 0 0 1 2 3\nAr 4 0 0 -1 nan -3\n");
        for (var read : List.<Runnable>of(() -> Xyz.read(f), () -> Xyz.readForces(f))) {
            InputFormatException e = assertThrows(InputFormatException.class, read::run);
            assertEquals(4, e.line());
            assertEquals("expected a finite number for force y of atom 2 (column 6), got 'nan'", e.problem());
        }
    }

    @Test
    void forcesAreNotFittedWithRelax() throws IOException {
        Path csv = references();
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> AtomisticTerms.fromCsv(csv, LJ)
                        .relax(Relax.fire())
                        .forces(1)
                        .terms());
        assertEquals(
                "forces cannot be fitted with relax: the forces of a relaxed structure are about 0 whatever the"
                        + " parameters, so they say nothing of the model; fit the forces of single points instead",
                e.getMessage());
        assertEquals(
                "the forces' weight must be positive and finite, got 0.0",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> AtomisticTerms.fromCsv(csv, LJ).forces(0))
                        .getMessage());
    }
}
