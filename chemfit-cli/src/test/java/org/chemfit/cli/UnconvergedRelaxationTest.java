package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.chemfit.Parameters;
import org.chemfit.atoms.Atoms;
import org.chemfit.atoms.PairPotential;
import org.chemfit.atoms.Relax;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@code atoms} term whose relaxation of a structure ends without converging within its steps
 * keeps that structure's energy (as docs/job-file.md says) but is warned about once per term, naming
 * the structure, the method, the steps, the largest force left and fmax; argon dimers from the
 * concave part of the curve relax with L-BFGS's defaults, without a warning.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class UnconvergedRelaxationTest {

    private static final PairPotential LJ =
            PairPotential.builder().lennardJones("Ar", "Ar", "eps", "sig").build();
    private static final Parameters ARGON = Parameters.of(Map.of("eps", 0.0104, "sig", 3.4));

    @TempDir
    Path dir;

    @BeforeEach
    void writeDimers() throws IOException {
        for (String r : List.of("5.0", "6.0")) {
            Files.writeString(dir.resolve("d" + r + ".xyz"), "2\nargon dimer\nAr 0 0 0\nAr 0 0 " + r + "\n");
        }
        Files.writeString(
                dir.resolve("two.csv"), "file,reference_energy,tag\nd5.0.xyz,-0.0104,r5.0\nd6.0.xyz,-0.0104,r6.0\n");
        Files.writeString(dir.resolve("one.csv"), "file,reference_energy,tag\nd6.0.xyz,-0.0104,r6.0\n");
    }

    private static String term(String name, String csv, String relax) {
        return "  - name: " + name + "\n"
                + "    kind: atoms\n"
                + "    reference: " + csv + "\n"
                + "    relax: " + relax + "\n"
                + "    unit: eV\n"
                + "    potential: [{form: lennard_jones, epsilon: eps, sigma: sig}]\n";
    }

    private Path job(String terms, String more) throws IOException {
        Path job = dir.resolve("job.yaml");
        Files.writeString(
                job,
                "parameters:\n  eps: {initial: 0.0104, bounds: [0.001, 0.1]}\n  sig: {initial: 3.4, bounds: [3, 4]}\n"
                        + "terms:\n"
                        + terms
                        + more
                        + "output: {folder: out}\n");
        return job;
    }

    /** The largest force left on a dimer started at r after the given L-BFGS steps, as the warning prints it. */
    private static String forceLeft(double r, int steps) {
        Atoms start = Atoms.of(List.of("Ar", "Ar"), new double[][] {{0, 0, 0}, {0, 0, r}});
        Relax.Result res = Relax.lbfgs().maxSteps(steps).run(LJ, ARGON, start);
        assertFalse(res.converged());
        return Tables.fmt(res.maxForce());
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void theForceLeftIsInTheTermsEnergyUnitPerAngstrom() throws IOException {
        String kelvin = term("kelvin", "one.csv", "{method: lbfgs, steps: 2}").replace("unit: eV", "unit: K");
        String plain = term("plain", "one.csv", "{method: lbfgs, steps: 2}").replace("    unit: eV\n", "");
        Cli.Run r = Cli.run("eval", job(kelvin + plain, "").toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains("warning: term 'kelvin': relaxing structure 'r6.0' with lbfgs did not converge within"
                                + " 2 steps: the largest force left is " + forceLeft(6.0, 2) + " K/Å, fmax is 1e-05"
                                + " K/Å; its energy"),
                r::toString);
        assertTrue(
                r.err()
                        .contains("warning: term 'plain': relaxing structure 'r6.0' with lbfgs did not converge within"
                                + " 2 steps: the largest force left is " + forceLeft(6.0, 2) + " (energy unit)/Å,"
                                + " fmax is 1e-05 (energy unit)/Å; its energy"),
                r::toString);
        assertFalse(r.err().contains("eV/Å"), r::toString);
    }

    @Test
    void evalWarnsOncePerTermWhoseRelaxationDidNotConverge() throws IOException {
        Path job = job(
                term("short", "two.csv", "{method: lbfgs, steps: 3}")
                        + term("single", "one.csv", "{method: lbfgs, steps: 2, fmax: 1.0e-6}")
                        + term("enough", "two.csv", "{method: lbfgs}"),
                "validation:\n" + term("held", "one.csv", "{method: fire, steps: 1}"));
        Cli.Run r = Cli.run("eval", job.toString(), "--per-structure");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        // the dimer at 5.0 Å has the larger force left of the two
        assertEquals(
                1,
                count(
                        r.err(),
                        "warning: term 'short': relaxing structure 'r5.0' with lbfgs did not converge within 3 steps"
                                + " (2 of the term's 2 structures did not converge; this one has the largest force"
                                + " left): the largest force left is " + forceLeft(5.0, 3) + " eV/Å, fmax is 1e-05"
                                + " eV/Å; its energy is used as the relaxation ended. Allow more steps (relax:"
                                + " {steps: ...}) or try method: fire\n"),
                r::toString);
        assertEquals(
                1,
                count(
                        r.err(),
                        "warning: term 'single': relaxing structure 'r6.0' with lbfgs did not converge within 2 steps:"
                                + " the largest force left is " + forceLeft(6.0, 2) + " eV/Å, fmax is 1e-06 eV/Å;"
                                + " its energy is used as the relaxation ended. Allow more steps (relax:"
                                + " {steps: ...}) or try method: fire\n"),
                r::toString);
        assertEquals(
                1,
                count(
                        r.err(),
                        "warning: term 'held': relaxing structure 'r6.0' with fire did not converge within 1"
                                + " steps (validation): the largest force left is "),
                r::toString);
        assertFalse(r.err().contains("'enough'"), r::toString);
        assertFalse(r.err().contains("later ones"), "one evaluation: " + r);
        assertEquals(3, count(r.err(), "warning: "), r::toString);
        // the unconverged energies are still used, the converged ones are the minimum
        assertTrue(r.out().matches("(?s).*\nfit +enough +r5\\.0 +energy +-0\\.0104 +-0\\.0104 .*"), r::toString);
        assertTrue(r.out().matches("(?s).*\nfit +enough +r6\\.0 +energy +-0\\.0104 +-0\\.0104 .*"), r::toString);
        assertTrue(r.out().matches("(?s).*\nshort +atoms +1 +\\S+ +\\S+ +\\S+ +\\S+ +ok\n.*"), r::toString);
        // -q prints errors and the results only, as fit does: the same evaluation, no warning
        Cli.Run quiet = Cli.run("eval", job.toString(), "--per-structure", "-q");
        assertEquals(ExitCodes.OK, quiet.code(), quiet::toString);
        assertEquals("", quiet.err(), quiet::toString);
        // the same results on standard output, but for the seconds each term took
        assertEquals(withoutSeconds(r.out()), withoutSeconds(quiet.out()), "-q changes only standard error");
    }

    @Test
    void aFitWarnsAtTheFirstEvaluationInWhichATermsRelaxationDidNotConverge() throws IOException {
        Path job = job(
                term("short", "one.csv", "{method: lbfgs, steps: 2}") + term("enough", "two.csv", "{method: lbfgs}"),
                "optimizer: {method: Nelder-Mead, max_evaluations: 4}\n");
        Cli.Run r = Cli.run("fit", job.toString(), "--no-plots", "--progress", "log");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertEquals(
                1,
                count(
                        r.err(),
                        "warning: term 'short': relaxing structure 'r6.0' with lbfgs did not converge within 2 steps"
                                + " in evaluation 0: the largest force left is " + forceLeft(6.0, 2) + " eV/Å, fmax"
                                + " is 1e-05 eV/Å; its energy is used as the relaxation ended. Allow more steps"
                                + " (relax: {steps: ...}) or try method: fire (later ones of this term are not"
                                + " shown)"),
                r::toString);
        assertEquals(1, count(r.err(), "did not converge"), r::toString);
        Cli.Run quiet = Cli.run(
                "fit",
                job.toString(),
                "--no-plots",
                "-q",
                "-o",
                dir.resolve("q").toString());
        assertEquals(ExitCodes.OK, quiet.code(), quiet::toString);
        assertFalse(quiet.err().contains("did not converge"), quiet::toString);
    }

    /** @return the output with each term's seconds (the column before its status) as S */
    private static String withoutSeconds(String out) {
        return out.replaceAll("\\d+\\.\\d{3}( +ok\\n)", "S$1");
    }
}
