package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A validation term whose data repeat the fit's is no held-out data: {@code validate} and {@code fit}
 * warn at its line, with how many of its rows repeat which fit terms; validation data apart from the
 * fit's, or repeating only a monitored term (weight 0), give no warning.
 */
class HeldOutOverlapTest {

    @TempDir
    Path tmp;

    /** The structures of the test data: a dimer at each separation. */
    private static final Path DIMERS = Cli.resource("jobs").resolve("data/dimers");

    private static final String[] SEPARATIONS = {"1.900", "2.100", "2.245", "2.400", "2.700", "3.000", "3.500", "4.000"
    };

    private static final String TAIL = ": its metrics are then not held out (the fit has seen those values) and"
            + " cannot show over-fitting; hold out data the fit's terms do not hold";

    /**
     * @param name the CSV's name
     * @param rows each row as separation index, structure's name (null: the dimer's own file) and reference
     * @return the CSV, with a coordinate column r
     */
    private Path csv(String name, Object[]... rows) throws IOException {
        StringBuilder s = new StringBuilder("file,reference_energy,tag,r\n");
        for (Object[] row : rows) {
            String sep = SEPARATIONS[(Integer) row[0]];
            Path file = row[1] == null ? DIMERS.resolve("lj_" + sep + ".xyz") : (Path) row[1];
            s.append(file)
                    .append(',')
                    .append(row[2])
                    .append(",r")
                    .append(sep)
                    .append(',')
                    .append(sep)
                    .append('\n');
        }
        Path f = tmp.resolve(name);
        Files.writeString(f, s.toString());
        return f;
    }

    /** @return the fit's data: the first four dimers */
    private Path fitCsv() throws IOException {
        return csv(
                "fit.csv",
                new Object[] {0, null, 2.94},
                new Object[] {1, null, -1.14},
                new Object[] {2, null, -1.5},
                new Object[] {3, null, -1.34});
    }

    /** Jobs written so far: each writes to an output folder of its own. */
    private int jobs;

    private Path job(Path fit, Path validation, String fitWeight) throws IOException {
        jobs++;
        String term = """
                    kind: atoms
                    reference: %s
                    coordinate: {column: r, unit: A}
                    unit: eV
                    potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}
                """;
        Path job = tmp.resolve("job" + jobs + ".yaml");
        Files.writeString(job, """
                name: overlap
                parameters:
                  lj:
                    epsilon: {initial: 1.0, bounds: [0.1, 10.0]}
                    sigma: {initial: 2.0, bounds: [1.5, 3.0]}
                terms:
                  - name: curve
                    weight: %s
                %s  - name: other
                %svalidation:
                  - name: held
                %soptimizer: {method: Nelder-Mead, max_evaluations: 4}
                output: {folder: out%d, plots: false}
                """.formatted(
                        fitWeight,
                        term.formatted(fit),
                        term.formatted(csv("other.csv", new Object[] {6, null, -0.3}, new Object[] {7, null, -0.2})),
                        term.formatted(validation),
                        jobs));
        return job;
    }

    /** @return the warnings that validate and fit print (each the same), checked to be the same */
    private List<String> warnings(Path job) {
        Cli.Run validate = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, validate.code(), validate::toString);
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        List<String> said =
                validate.err().lines().filter(l -> l.startsWith("warning: ")).toList();
        assertEquals(
                said, fit.err().lines().filter(l -> l.startsWith("warning: ")).toList(), "fit warns as validate does");
        // and says it again under its closing table, from results.json, beside the metrics it qualifies
        for (String w : said) {
            assertTrue(fit.out().contains("\n" + w + "\n"), fit::toString);
        }
        return said;
    }

    @Test
    void theFitsOwnReferenceFileAsValidationIsWarnedOf() throws IOException {
        Path fit = fitCsv();
        Path job = job(fit, fit, "1");
        // the validation term's item of the list starts at line 21, column 5
        assertEquals(
                List.of("warning: " + job + ":21:5: validation term 'held' reads the same reference file as fit term"
                        + " 'curve' (" + fit + "): all 4 of its rows are the fit's" + TAIL),
                warnings(job));
    }

    @Test
    void rowsOfTheFitsFilesOrCopiesOfThemWithTheirReferencesAreCounted() throws IOException {
        Path fit = fitCsv();
        // a copy of the dimer at 2.245 under another name: another file, the same structure
        Path copy = Files.copy(DIMERS.resolve("lj_2.245.xyz"), tmp.resolve("copy.xyz"));
        Path held = csv(
                "held.csv",
                new Object[] {0, null, 2.94}, // a row of the fit's, copied
                new Object[] {1, null, -1.14}, // another
                new Object[] {2, copy, -1.5}, // a copy of the fit's file, byte for byte, and its reference
                new Object[] {3, null, -1.3}, // the fit's structure, another reference: not the same data
                new Object[] {4, null, -0.9}); // held out
        Path job = job(fit, held, "1");
        assertEquals(
                List.of("warning: " + job + ":21:5: validation term 'held' repeats the fit's data: 3 of its 5 rows"
                        + " have the structure and reference value of rows of fit term 'curve'" + TAIL),
                warnings(job));
    }

    /**
     * Another structure at the same coordinate with the same reference (a krypton dimer beside the
     * fit's argon one, both curves shifted to one energy) is other data, and so is the fit's file
     * under a term that computes another energy of it (relaxed).
     */
    @Test
    void anotherStructureAtTheSameCoordinateOrAnotherEnergyOfTheSameIsNoRepeat() throws IOException {
        Path fit = fitCsv();
        Path krypton = tmp.resolve("kr_2.245.xyz");
        Files.writeString(
                krypton, Files.readString(DIMERS.resolve("lj_2.245.xyz")).replace("Ar", "Kr"));
        Path held = csv("held.csv", new Object[] {2, krypton, -1.5}, new Object[] {4, null, -0.9});
        Path job = job(fit, held, "1");
        // one potential for every pair, as in the fit: the same energy computed, of another structure
        assertEquals(List.of(), warnings(job));

        Path relaxed = job(fit, fit, "1");
        String r = Files.readString(relaxed);
        int v = r.indexOf("validation:");
        int q = r.indexOf("    potential: {form", v);
        Files.writeString(relaxed, r.substring(0, q) + "    relax: true\n" + r.substring(q));
        assertEquals(List.of(), warnings(relaxed));
    }

    /** A validation term that fits forces, on structures whose energies only the fit has, holds its forces out. */
    @Test
    void aValidationTermWithForcesOnTheFitsStructuresHasItsEnergyMetricsSaid() throws IOException {
        for (int k = 0; k < 2; k++) {
            String r = k == 0 ? "2.245" : "2.700";
            Files.writeString(
                    tmp.resolve("f" + k + ".xyz"),
                    "2\nProperties=species:S:1:pos:R:3:forces:R:3\nAr 0 0 0 0.1 0 0\nAr " + r + " 0 0 -0.1 0 0\n");
        }
        Path csv = tmp.resolve("forces.csv");
        Files.writeString(csv, "file,reference_energy,tag\nf0.xyz,-1.5,a\nf1.xyz,-0.9,b\n");
        String term = """
                    kind: atoms
                    reference: forces.csv
                    unit: eV
                    potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}
                """;
        Path job = tmp.resolve("forces.yaml");
        Files.writeString(job, """
                name: forces
                parameters:
                  lj:
                    epsilon: {initial: 1.0, bounds: [0.1, 10.0]}
                    sigma: {initial: 2.0, bounds: [1.5, 3.0]}
                terms:
                  - name: curve
                %svalidation:
                  - name: held
                    forces: true
                %soptimizer: {method: Nelder-Mead, max_evaluations: 4}
                output: {folder: outf, plots: false}
                """.formatted(term, term));
        assertEquals(
                // the validation term's item of the list starts at line 13, column 5
                List.of("warning: " + job + ":13:5: validation term 'held' reads the same reference file as fit term"
                        + " 'curve' (" + csv + "): all 2 of its rows are the fit's: its energy metrics are then not"
                        + " held out (the fit has seen those values) and cannot show over-fitting; hold out data the"
                        + " fit's terms do not hold"),
                warnings(job));
    }

    @Test
    void heldOutDataOrDataOfAMonitoredTermOnlyGiveNoWarning() throws IOException {
        Path fit = fitCsv();
        Path held = csv("held.csv", new Object[] {4, null, -0.9}, new Object[] {5, null, -0.5});
        assertEquals(List.of(), warnings(job(fit, held, "1")));
        // the fit's file again, but the term that reads it has weight 0: monitored, fitted to nothing
        assertEquals(List.of(), warnings(job(fit, fit, "0")));
        assertTrue(Files.isRegularFile(tmp.resolve("out2/results.json")));
    }
}
