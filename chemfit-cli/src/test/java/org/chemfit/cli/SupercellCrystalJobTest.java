package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crystal term whose structure is an n × n × n supercell (n > 1) has n in the job's identity, so
 * that a journal written when its lattice_constant was the supercell's edge is another job, and
 * {@code validate} says what its lattice_constant is the edge of; a conventional cell adds
 * nothing, so its journals resume as before.
 */
class SupercellCrystalJobTest {

    @TempDir
    Path tmp;

    /** Rock salt of edge a, n × n × n of its conventional cell, positions written with 5 decimals. */
    private static String rockSalt(double a, int n) {
        double[][] mg = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
        StringBuilder atoms = new StringBuilder();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    for (double[] f : mg) {
                        for (String sp : new String[] {"Mg", "O"}) {
                            double s = sp.equals("O") ? 0.5 : 0;
                            atoms.append(String.format(
                                    Locale.ROOT,
                                    "%s %.5f %.5f %.5f%n",
                                    sp,
                                    (i + f[0] + s) * a,
                                    (j + f[1]) * a,
                                    (k + f[2]) * a));
                        }
                    }
                }
            }
        }
        String edge = String.format(Locale.ROOT, "%.5f", n * a);
        return (8 * n * n * n) + "\nLattice=\"" + edge + " 0.0 0.0 0.0 " + edge + " 0.0 0.0 0.0 " + edge
                + "\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\n" + atoms;
    }

    private Path job(String structure, int formulaUnits) throws IOException {
        Path job = tmp.resolve("fit.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters:",
                        "  A: {initial: 821.6, bounds: [700.0, 900.0]}",
                        "terms:",
                        "  - name: mgo",
                        "    kind: crystal",
                        "    structure: " + structure,
                        "    formula_units: " + formulaUnits,
                        "    potential:",
                        "      - {form: coulomb, charges: {Mg: 2.0, O: -2.0}, method: dsf, alpha: 0.2, cutoff: 8.0}",
                        "      - {form: buckingham, species: [Mg, O], A: A, rho: 0.3242, C: 0.0, cutoff: 8.0}",
                        "      - {form: buckingham, species: [O, O], A: 22764.0, rho: 0.149, C: 27.88, cutoff: 8.0}",
                        "    reference: {lattice_constant: 4.2112}",
                        "optimizer: {method: Nelder-Mead, max_evaluations: 2}",
                        "output: {folder: out, plots: false}",
                        ""));
        return job;
    }

    @Test
    void aSupercellHasItsRepeatsInTheJobsIdentityAndAConventionalCellNothing() throws IOException {
        Files.createDirectories(tmp.resolve("data"));
        Files.writeString(tmp.resolve("data/mgo.xyz"), rockSalt(4.2112347, 1));
        Files.writeString(tmp.resolve("data/mgo_2x2x2.xyz"), rockSalt(4.2112347, 2));
        Files.writeString(tmp.resolve("data/mgo_3x3x3.xyz"), rockSalt(4.2112347, 3));

        Map<String, Object> one = JobSettings.of(JobFile.read(job("data/mgo.xyz", 4)));
        assertFalse(one.containsKey("crystal_repeats"), one::toString);
        Map<String, Object> two = JobSettings.of(JobFile.read(job("data/mgo_2x2x2.xyz", 32)));
        assertEquals(Map.of("mgo", 2), two.get("crystal_repeats"), two::toString);
        Map<String, Object> three = JobSettings.of(JobFile.read(job("data/mgo_3x3x3.xyz", 108)));
        assertEquals(Map.of("mgo", 3), three.get("crystal_repeats"), three::toString);
    }

    @Test
    void validateSaysWhatTheLatticeConstantOfASupercellIsTheEdgeOf() throws IOException {
        Files.createDirectories(tmp.resolve("data"));
        Files.writeString(tmp.resolve("data/mgo.xyz"), rockSalt(4.2112, 1));
        Files.writeString(tmp.resolve("data/mgo_2x2x2.xyz"), rockSalt(4.2112, 2));

        Cli.Run r = Cli.run("validate", job("data/mgo_2x2x2.xyz", 32).toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(
                r.out()
                        .contains("    structure data/mgo_2x2x2.xyz is a 2 x 2 x 2 supercell of a cubic cell of edge"
                                + " 4.2112 Å: lattice_constant is that edge (relaxed)\n"),
                r::toString);

        Cli.Run conventional = Cli.run("validate", job("data/mgo.xyz", 4).toString());
        assertEquals(0, conventional.code(), conventional::toString);
        assertFalse(conventional.out().contains("supercell"), conventional::toString);
    }

    @Test
    void aCellNearlyASupercellIsTakenAsGivenWithAWarning() throws IOException {
        Files.createDirectories(tmp.resolve("data"));
        // the 2 × 2 × 2 supercell with its first Mg 0.02 Å off its place along x
        String two = rockSalt(4.2112, 2);
        assertTrue(two.contains("\nMg 0.00000 0.00000 0.00000\n"), two);
        Files.writeString(
                tmp.resolve("data/mgo_md.xyz"),
                two.replaceFirst("\nMg 0.00000 0.00000 0.00000\n", "\nMg 0.02000 0.00000 0.00000\n"));
        Path job = job("data/mgo_md.xyz", 32);
        String warning = "warning: term 'mgo' structure data/mgo_md.xyz is nearly a 2 x 2 x 2 supercell: its atoms"
                + " repeat at edge/2 to within 0.02 Å, more than the 0.001 Å a supercell is taken to; the cell is"
                + " taken as given (lattice_constant is its whole edge); for the conventional cell's edge, place its"
                + " atoms on their repeats to 0.001 Å\n";

        Cli.Run validate = Cli.run("validate", job.toString());
        assertEquals(0, validate.code(), validate::toString);
        assertTrue(validate.err().contains(warning), validate::toString);
        // taken as one cell: validate names no supercell under the term, the job's identity has no repeats
        assertFalse(validate.out().contains("supercell"), validate::toString);
        assertFalse(JobSettings.of(JobFile.read(job)).containsKey("crystal_repeats"));

        Cli.Run fit = Cli.run("fit", job.toString());
        assertEquals(0, fit.code(), fit::toString);
        assertEquals(1, fit.err().split(java.util.regex.Pattern.quote(warning), -1).length - 1, fit::toString);

        // 0.0005 Å off: a supercell to 1e-3 Å, no warning; 0.1 Å off: not nearly one, no warning
        for (String x : new String[] {"0.00050", "0.10000"}) {
            Files.writeString(
                    tmp.resolve("data/mgo_md.xyz"),
                    two.replaceFirst("\nMg 0.00000 0.00000 0.00000\n", "\nMg " + x + " 0.00000 0.00000\n"));
            Cli.Run r = Cli.run("validate", job.toString());
            assertEquals(0, r.code(), r::toString);
            assertFalse(r.err().contains("nearly"), r::toString);
            assertEquals(x.equals("0.00050"), r.out().contains("is a 2 x 2 x 2 supercell"), r::toString);
        }
    }

    @Test
    void aJournalWithoutTheRepeatsOfASupercellIsAnotherJob() throws IOException {
        Files.createDirectories(tmp.resolve("data"));
        Path cell = tmp.resolve("data/mgo.xyz");
        Files.writeString(cell, rockSalt(4.2112, 1));
        Path job = job("data/mgo.xyz", 4);
        Cli.Run first = Cli.run("fit", job.toString());
        assertEquals(0, first.code(), first::toString);
        // the conventional cell added nothing: the same job resumes, every evaluation replayed
        Cli.Run again = Cli.run("fit", job.toString());
        assertEquals(0, again.code(), again::toString);

        // the same file now a 2 × 2 × 2 supercell, as a journal written before the supercell's
        // lattice_constant was the conventional edge recorded it: refused, the change listed
        Files.writeString(cell, rockSalt(4.2112, 2));
        job = job("data/mgo.xyz", 32);
        Cli.Run refused = Cli.run("fit", job.toString());
        assertEquals(ExitCodes.USAGE, refused.code(), refused::toString);
        assertTrue(refused.err().contains("added job.crystal_repeats.mgo = 2"), refused::toString);
    }
}
