package org.chemfit.cli;

import static org.chemfit.testfixtures.LennardJonesClusters.EPS;
import static org.chemfit.testfixtures.LennardJonesClusters.SIGMA;
import static org.chemfit.testfixtures.LennardJonesClusters.TETRAMER;
import static org.chemfit.testfixtures.LennardJonesClusters.TRIMER;
import static org.chemfit.testfixtures.LennardJonesClusters.energy;
import static org.chemfit.testfixtures.LennardJonesClusters.forces;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.chemfit.EvaluationContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An atoms term with {@code forces:}: each structure's reference forces, read from the
 * {@code forces:R:3} column of its extended XYZ file, are fitted beside its energy. The data are a
 * Lennard-Jones trimer and tetramer (epsilon = 0.0104 eV, sigma = 3.40 Å) whose energies and forces
 * are worked out from the pair formula ({@code testfixtures.LennardJonesClusters}) {@code E = sum 4 eps ((s/r)^12 - (s/r)^6)},
 * {@code F_i = sum_j 24 eps (2 (s/r)^12 - (s/r)^6) (r_i - r_j) / r^2}.
 */
class ForcesJobTest {

    @TempDir
    Path dir;

    /** Writes data/NAME.xyz with its forces (forces:R:3) and returns its CSV row. */
    String structure(String name, double[][] x) throws IOException {
        double[] f = forces(x, EPS, SIGMA);
        StringBuilder sb = new StringBuilder();
        sb.append(x.length).append("\nProperties=species:S:1:pos:R:3:forces:R:3 pbc=\"F F F\"\n");
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
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/" + name + ".xyz"), sb);
        return name + ".xyz," + energy(x, EPS, SIGMA) + "," + name;
    }

    /** The trimer and the tetramer in data/ref.csv. */
    void data() throws IOException {
        Files.writeString(
                dir.resolve("data/ref.csv").toAbsolutePath(),
                "file,reference_energy,tag\n" + structure("trimer", TRIMER) + "\n" + structure("tetramer", TETRAMER)
                        + "\n");
    }

    Path job(String termExtra, String optimizer) throws IOException {
        Path job = dir.resolve("fit.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters:",
                        "  lj: {epsilon: {initial: 0.02, bounds: [0.001, 0.1]}, sigma: {initial: 3.0, bounds: [2.5,"
                                + " 4.0]}}",
                        "terms:",
                        "  - name: argon",
                        "    kind: atoms",
                        "    reference: data/ref.csv",
                        "    potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}",
                        termExtra,
                        "optimizer: " + optimizer,
                        "output: {folder: out}",
                        ""));
        return job;
    }

    @Test
    void aFitOfEnergiesAndForcesRecoversEpsilonAndSigmaAndReportsBothQuantities() throws IOException {
        data();
        Path job = job("    unit: eV\n    forces: {weight: 0.5}", "{method: least-squares, max_evaluations: 300}");

        Cli.Run fit = Cli.run("fit", job.toString());

        assertEquals(0, fit.code(), fit::toString);
        JsonNode r = new ObjectMapper().readTree(dir.resolve("out/results.json").toFile());
        assertEquals("lj.epsilon", r.at("/parameters/0/name").asText());
        assertEquals(
                EPS,
                r.at("/parameters/0/best").asDouble(),
                1e-6 * EPS,
                () -> r.at("/parameters").toString());
        assertEquals(
                SIGMA,
                r.at("/parameters/1/best").asDouble(),
                1e-6 * SIGMA,
                () -> r.at("/parameters").toString());
        assertTrue(r.at("/loss/initial").asDouble() > 1e-3, "the start is far off");
        JsonNode t = r.at("/terms/0");
        assertEquals(0.5, t.get("forces_weight").asDouble(), 0.0);
        assertEquals("eV", t.at("/units/energy").asText());
        assertEquals("eV/Å", t.at("/units/forces").asText());
        // the reference forces, structure after structure, as the files give them
        List<Double> expected = new ArrayList<>();
        for (double v : forces(TRIMER, EPS, SIGMA)) {
            expected.add(v);
        }
        for (double v : forces(TETRAMER, EPS, SIGMA)) {
            expected.add(v);
        }
        List<Double> reference = new ArrayList<>();
        t.at("/reference/forces").forEach(n -> reference.add(n.asDouble()));
        assertEquals(expected, reference);
        assertEquals(21, t.at("/computed/forces").size());
        for (int i = 0; i < 21; i++) {
            assertEquals(expected.get(i), t.at("/computed/forces/" + i).asDouble(), 1e-8, "component " + i);
        }
        assertEquals("eV/Å", t.at("/metrics/forces/unit").asText());
        assertEquals(21, t.at("/metrics/forces/best/count").asInt());
        assertEquals(2, t.at("/metrics/energy/best/count").asInt());
        assertTrue(t.at("/metrics/forces/best/rmse").asDouble() < 1e-8, t::toString);

        // predictions.csv: one row per energy, then one per force component, named by structure and index
        List<String> rows = Files.readAllLines(dir.resolve("out/predictions.csv"));
        assertEquals(1 + 2 + 21, rows.size());
        List<String> items = rows.stream().skip(1).map(l -> l.split(",")[2]).toList();
        List<String> want = new ArrayList<>(List.of("trimer", "tetramer"));
        for (int k = 0; k < 9; k++) {
            want.add("trimer[" + k + "]");
        }
        for (int k = 0; k < 12; k++) {
            want.add("tetramer[" + k + "]");
        }
        assertEquals(want, items);
        String[] fourth = rows.get(3 + 4).split(",");
        assertEquals("trimer[4]", fourth[2]);
        assertEquals("forces", fourth[3]);
        assertEquals(expected.get(4), Double.parseDouble(fourth[4]), 0.0);
        assertEquals("eV/Å", fourth[8]);

        // the closing table has a row per quantity; the plots a parity plot of the forces
        assertTrue(
                fit.out().lines().anyMatch(l -> l.matches("fit\\s+argon\\s+forces\\s+eV/Å\\s+21\\s+.*")),
                fit::toString);
        assertTrue(Files.isRegularFile(dir.resolve("out/plots/parity-forces.svg")));
        assertFalse(fit.err().contains("reference value"), fit::toString);

        // report.html draws its parity charts of this predictions.csv: its rows are results.json's reference values
        Cli.Run report = Cli.run("report", dir.resolve("out").toString(), "--html");
        assertEquals(0, report.code(), report::toString);
        String page = Files.readString(dir.resolve("out/report.html"));
        String open = "<script type=\"application/json\" id=\"chemfit-data\">";
        int start = page.indexOf(open) + open.length();
        JsonNode p = new ObjectMapper()
                .readTree(page.substring(start, page.indexOf("</script>", start)))
                .get("predictions");
        assertTrue(p.get("of_results").asBoolean(), p::toString);
        assertEquals(
                List.of("energy eV 2", "forces eV/Å 21"),
                List.of(
                        p.at("/charts/0/quantity").asText() + " "
                                + p.at("/charts/0/unit").asText() + " "
                                + p.at("/charts/0/fit/reference").size(),
                        p.at("/charts/1/quantity").asText() + " "
                                + p.at("/charts/1/unit").asText() + " "
                                + p.at("/charts/1/fit/reference").size()));
        assertTrue(p.at("/items/argon/forces/per_atom").asBoolean(), p::toString);
    }

    /** The loss of the term at lj.epsilon = 0.012, lj.sigma = 3.3, as the plan evaluates it. */
    double loss(String termExtra) throws IOException {
        Path job = job(termExtra, "{method: Nelder-Mead, max_evaluations: 10}");
        Files.writeString(
                job,
                Files.readString(job)
                        .replace("initial: 0.02", "initial: 0.012")
                        .replace("initial: 3.0", "initial: 3.3"));
        try (FitPlan plan = FitPlan.build(JobFile.read(job), 1, dir.resolve("out"))) {
            EvaluationContext ctx = new EvaluationContext(plan.initial(), "e0");
            double loss = plan.combined.evaluate(plan.initial(), ctx);
            double[] residuals = org.chemfit.Residuals.available(plan.combined)
                    ? org.chemfit.Residuals.of(plan.combined, ctx)
                    : null;
            if (residuals != null) {
                // a least-squares method sees one residual per energy and per force component
                assertEquals(2 + 21, residuals.length);
                double s = 0;
                for (double d : residuals) {
                    s += d * d;
                }
                assertEquals(loss, s, 1e-12 * loss);
            }
            return loss;
        }
    }

    @Test
    void theLossOfAStructureIsItsEnergyLossPlusTheWeightTimesItsForcesLoss() throws IOException {
        data();
        double w = 0.3;
        double squared = 0;
        double mean = 0;
        double absolute = 0;
        double scaled = 0;
        for (double[][] x : List.of(TRIMER, TETRAMER)) {
            double de = energy(x, 0.012, 3.3) - energy(x, EPS, SIGMA);
            double[] fm = forces(x, 0.012, 3.3);
            double[] fr = forces(x, EPS, SIGMA);
            double sq = 0;
            double abs = 0;
            for (int i = 0; i < fm.length; i++) {
                sq += (fm[i] - fr[i]) * (fm[i] - fr[i]);
                abs += Math.abs(fm[i] - fr[i]);
            }
            squared += de * de + w * sq;
            // mean_squared_error: the mean over the structures of (energy error^2 + w * mean over the 3N components)
            mean += (de * de + w * sq / fm.length) / 2;
            absolute += Math.abs(de) + w * abs;
            scaled += Math.pow(de / 0.01, 2) + w * sq / Math.pow(0.001, 2);
        }
        assertTrue(squared > 1e-6, "the point is off the reference: " + squared);
        String forces = "\n    forces: {weight: 0.3}";
        assertEquals(squared, loss("    loss: squared_error" + forces), 1e-12 * squared);
        assertEquals(mean, loss("    loss: mean_squared_error" + forces), 1e-12 * mean);
        assertEquals(absolute, loss("    loss: absolute_error" + forces), 1e-12 * absolute);
        assertEquals(
                scaled,
                loss("    loss: {type: squared_error, scale: {energy: 0.01, forces: 0.001}}" + forces),
                1e-12 * scaled);
    }

    /**
     * Each structure file is parsed once per read of the job: the job reader's checks of the
     * structures and of their forces, and the plan's computers and reference forces, take the same
     * parse; the loss is the one computed by hand, and the forces those the file holds.
     */
    @Test
    void eachStructureFileIsParsedOncePerReadOfTheJob() throws IOException {
        data();
        double w = 0.3;
        double squared = 0;
        for (double[][] x : List.of(TRIMER, TETRAMER)) {
            double de = energy(x, 0.012, 3.3) - energy(x, EPS, SIGMA);
            double[] fm = forces(x, 0.012, 3.3);
            double[] fr = forces(x, EPS, SIGMA);
            squared += de * de;
            for (int i = 0; i < fm.length; i++) {
                squared += w * (fm[i] - fr[i]) * (fm[i] - fr[i]);
            }
        }
        Path job = job("    forces: {weight: 0.3}", "{method: Nelder-Mead, max_evaluations: 10}");
        Files.writeString(
                job,
                Files.readString(job)
                        .replace("initial: 0.02", "initial: 0.012")
                        .replace("initial: 3.0", "initial: 3.3"));
        JobFile read = JobFile.read(job);
        assertEquals(2, read.structures().parses(), "the trimer and the tetramer, each once while the job is read");
        try (FitPlan plan = FitPlan.build(read, 1, dir.resolve("out"))) {
            EvaluationContext ctx = new EvaluationContext(plan.initial(), "e0");
            assertEquals(squared, plan.combined.evaluate(plan.initial(), ctx), 1e-12 * squared);
        }
        assertEquals(2, read.structures().parses(), "the plan parses none of them again");
        Path trimer = dir.resolve("data/trimer.xyz");
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                forces(TRIMER, EPS, SIGMA), read.structures().forces(trimer), 1e-12);
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                org.chemfit.atoms.Xyz.readForces(trimer), read.structures().forces(trimer), 0.0);
        assertEquals(2, read.structures().parses(), "asked again, by another spelling of its path too");
        read.structures().atoms(dir.resolve("data/../data/trimer.xyz"));
        assertEquals(2, read.structures().parses());
        // another read of the job parses each file again, once
        assertEquals(2, JobFile.read(job).structures().parses());
    }

    @Test
    void aStructureWithoutForcesOrWithANonFiniteForceIsRefusedNamingItsFileAndCsvLine() throws IOException {
        data();
        Files.writeString(dir.resolve("data/plain.xyz"), "1\nan atom\nAr 0 0 0\n");
        Files.writeString(
                dir.resolve("data/nan.xyz"),
                "2\nProperties=species:S:1:pos:R:3:forces:R:3\nAr 0 0 0 1 2 3\nAr 4 0 0 -1 nan -3\n");
        Files.writeString(
                dir.resolve("data/ref.csv"), Files.readString(dir.resolve("data/ref.csv")) + "plain.xyz,0.0,plain\n");
        Path job = job("    forces: {weight: 0.5}", "{method: least-squares}");

        Cli.Run v = Cli.run("validate", job.toString());

        assertEquals(ExitCodes.USAGE, v.code(), v::toString);
        String data = dir.resolve("data").toString();
        assertTrue(
                v.err()
                        .lines()
                        .anyMatch(l -> l.equals(job + ":8:13: term 'argon' forces: 1 structure of " + data
                                + "/ref.csv gives no usable reference forces: " + data + "/plain.xyz:2 (" + data
                                + "/ref.csv line 4, tag 'plain'): expected per-atom reference forces, a column"
                                + " forces:R:3 (or force:R:3) in the extended XYZ Properties=, got a comment line"
                                + " without Properties=: 'an atom'")),
                v::toString);

        Files.writeString(dir.resolve("data/ref.csv"), "file,reference_energy,tag\nnan.xyz,0.0,nan\n");
        v = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, v.code(), v::toString);
        assertTrue(
                v.err()
                        .lines()
                        .anyMatch(l -> l.equals(data + "/nan.xyz:4: expected a finite number for force y of atom 2"
                                + " (column 6), got 'nan' (ref.csv line 2, tag 'nan')")),
                v::toString);
    }

    @Test
    void forcesCountAsReferenceValuesForTheParametersTheyDetermine() throws IOException {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(
                dir.resolve("data/ref.csv"), "file,reference_energy,tag\n" + structure("trimer", TRIMER) + "\n");
        Cli.Run energies =
                Cli.run("validate", job("", "{method: least-squares}").toString());
        assertEquals(0, energies.code(), energies::toString);
        assertTrue(
                (energies.out() + energies.err())
                        .contains("the fit's terms hold 1 reference value for 2 free" + " parameters"),
                energies::toString);
        Cli.Run both = Cli.run(
                "validate", job("    forces: true", "{method: least-squares}").toString());
        assertEquals(0, both.code(), both::toString);
        assertFalse((both.out() + both.err()).contains("reference value"), both::toString);
    }

    @Test
    void aForcesUnitWithAngstromSpelledAsInLammpsMetalUnitsIsTaken() throws IOException {
        data();
        Cli.Run ascii = Cli.run(
                "eval",
                job("    forces: true\n    unit: {energy: eV, forces: eV/A}", "{method: Nelder-Mead}")
                        .toString());
        assertEquals(0, ascii.code(), ascii::toString);
        assertTrue(ascii.out().contains("eV/Å"), ascii::toString);
        Cli.Run other = Cli.run(
                "validate",
                job("    forces: true\n    unit: {energy: eV, forces: eV/nm}", "{method: Nelder-Mead}")
                        .toString());
        assertEquals(2, other.code(), other::toString);
        assertTrue(
                other.err()
                        .contains("term 'argon' unit of 'forces' is 'eV/nm', but forces are in the term's energy unit"
                                + " per Å, eV/Å; leave the forces' unit out"),
                other::toString);
    }

    /**
     * The energy unit per Å in the other ways it is written: a power -1, a bracket, Å spelt out (17
     * characters), the energy in another spelling of its own. A length of another unit is still refused.
     */
    @Test
    void aForcesUnitWrittenWithPowersOrABracketIsTaken() throws IOException {
        data();
        for (String forces : List.of(
                "'kcal/mol * A^-1'",
                "kcal mol-1 A-1",
                "kcal·mol⁻¹·Å⁻¹",
                "'kcal/mol/(A)'",
                "kcal mol^-1 A^-1",
                "kcal/(mol*A)",
                "'kcal/(mol A)'",
                "kcal/mol/Angstrom",
                "kcal mol^-1/Å",
                "Kcal/mol/A")) {
            Cli.Run r = Cli.run(
                    "validate",
                    job(
                                    "    forces: true\n    unit: {energy: kcal/mol, forces: " + forces + "}",
                                    "{method: Nelder-Mead}")
                            .toString());
            assertEquals(0, r.code(), () -> forces + "\n" + r);
        }
        Cli.Run nm = Cli.run(
                "validate",
                job(
                                "    forces: true\n    unit: {energy: kcal/mol, forces: kcal mol^-1 nm^-1}",
                                "{method: Nelder-Mead}")
                        .toString());
        assertEquals(2, nm.code(), nm::toString);
        assertTrue(
                nm.err()
                        .contains("unit of 'forces' is 'kcal mol^-1 nm^-1', but forces are in the term's energy unit"
                                + " per Å, kcal/mol/Å"),
                nm::toString);
    }
}
