package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crystal cell written in nm (rock-salt MgO, edge 0.42112) with a Buckingham cutoff of 12 Å is
 * refused by {@code validate}, {@code eval} and {@code fit} alike before anything runs: each atom
 * would meet about 775,000 images, every energy would take seconds. The same cell in Å passes,
 * also with a cutoff long enough to pass the count of 200,000 images (80 Å), since no structure in
 * Å is denser than 1 atom/Å³.
 */
class DenseCellTest {

    @TempDir
    Path tmp;

    private Path job(double edge, double cutoff) throws Exception {
        double h = edge / 2;
        String xyz = String.format(
                java.util.Locale.ROOT,
                "8%nLattice=\"%s 0 0 0 %s 0 0 0 %s\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"%n"
                        + "Mg 0 0 0%nMg %s %s 0%nMg %s 0 %s%nMg 0 %s %s%nO %s 0 0%nO 0 %s 0%nO 0 0 %s%nO %s %s %s%n",
                edge,
                edge,
                edge,
                h,
                h,
                h,
                h,
                h,
                h,
                h,
                h,
                h,
                h,
                h,
                h);
        Files.writeString(tmp.resolve("mgo.xyz"), xyz);
        Path job = tmp.resolve("fit.yaml");
        Files.writeString(job, """
                parameters:
                  mgo: {A: {initial: 1285.0, bounds: [300.0, 3000.0]}, rho: {initial: 0.3, bounds: [0.2, 0.4]}}
                terms:
                  - name: periclase
                    kind: crystal
                    structure: mgo.xyz
                    formula_units: 4
                    potential:
                      - {form: coulomb, charges: {Mg: 2.0, O: -2.0}, method: ewald}
                      - {form: buckingham, species: [Mg, O], A: mgo.A, rho: mgo.rho, C: 0.0, cutoff: %s}
                    reference: {lattice_constant: 4.2112}
                output: {folder: out}
                """.formatted(cutoff));
        return job;
    }

    @Test
    void aCellInNanometresIsRefusedAtItsStructureBeforeAnythingRuns() throws Exception {
        Path job = job(0.42112, 12.0);
        String expected = job + ":6:16: term 'periclase' structure mgo.xyz: its atoms are 0.21056 Å apart at the"
                + " shortest, and each would meet about 775,362 atoms and periodic images within the pair terms' cutoff"
                + " of 12 Å (107.12 atoms/Å³): is the structure in angstrom (one written in nm is 1000 times denser)? A"
                + " solid in Å has at most about 0.18 atoms/Å³, some 1300 within 12 Å; more than 200,000 are refused,"
                + " since every energy would be a pair sum over millions of images and take seconds";
        for (String command : new String[] {"validate", "eval", "fit"}) {
            Cli.Run r = Cli.run(command, job.toString());
            assertEquals(ExitCodes.USAGE, r.code(), r::toString);
            assertEquals(expected, r.err().lines().findFirst().orElse(""), r::toString);
            assertFalse(Files.exists(tmp.resolve("out/results.json")), r::toString);
        }
    }

    @Test
    void theCellInAngstromPassesWithACutoffOf75Angstrom() throws Exception {
        Cli.Run r = Cli.run("validate", job(4.2112, 75.0).toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(!r.err().contains("periodic images") && !r.out().contains("periodic images"), r::toString);
    }

    @Test
    void theCellInAngstromPassesWithACutoffWhoseImagesPassTheLimit() throws Exception {
        // 0.107 atoms/Å³ within 80 Å: about 230,000 images, over the count, but a density of Å
        Cli.Run r = Cli.run("validate", job(4.2112, 80.0).toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(!r.err().contains("periodic images") && !r.out().contains("periodic images"), r::toString);
    }
}
