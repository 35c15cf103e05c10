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
 * A fit whose terms hold fewer reference values than it has free parameters cannot determine them
 * all: validate says so before anything runs, counting only terms that weigh in.
 */
class TooFewValuesWarningTest {

    @TempDir
    Path dir;

    /** A job of one Lennard-Jones term over dimers at these distances, and the lines given after. */
    private Path job(double[] distances, String... rest) throws IOException {
        StringBuilder csv = new StringBuilder("file,reference_energy\n");
        for (int i = 0; i < distances.length; i++) {
            String name = "d" + i + ".xyz";
            Files.writeString(dir.resolve(name), "2\n\nAr 0 0 0\nAr 0 0 " + distances[i] + "\n");
            csv.append(name).append(',').append(-0.01 * (i + 1)).append('\n');
        }
        Files.writeString(dir.resolve("ref.csv"), csv.toString());
        List<String> lines = new java.util.ArrayList<>(List.of(
                "parameters:",
                "  eps: {initial: 0.01, bounds: [0.001, 0.1]}",
                "  sigma: {initial: 3.4, bounds: [3.0, 4.0]}",
                "terms:",
                "  - name: dimers",
                "    kind: atoms",
                "    reference: ref.csv",
                "    potential: {form: lennard_jones, epsilon: eps, sigma: sigma}"));
        lines.addAll(List.of(rest));
        lines.add("");
        Path job = dir.resolve("job.yaml");
        Files.writeString(job, String.join("\n", lines));
        return job;
    }

    private static List<String> warnings(Path job) {
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        return r.err().lines().filter(l -> l.startsWith("warning: ")).toList();
    }

    @Test
    void oneValueForTwoFreeParametersIsWarnedOf() throws IOException {
        assertEquals(
                List.of("warning: the fit's terms hold 1 reference value for 2 free parameters: the data cannot"
                        + " determine every parameter (the fit ends at one of many equally good points, with no"
                        + " standard errors); add reference data, or fix parameters"),
                warnings(job(new double[] {3.8})));
    }

    @Test
    void asManyValuesAsFreeParametersOrAFixedParameterIsEnough() throws IOException {
        assertTrue(warnings(job(new double[] {3.8, 4.2})).isEmpty());
        Path fixed = job(new double[] {3.8});
        Files.writeString(
                fixed,
                Files.readString(fixed)
                        .replace("sigma: {initial: 3.4, bounds: [3.0, 4.0]}", "sigma: {initial: 3.4, fixed: true}"));
        assertTrue(warnings(fixed).isEmpty(), () -> warnings(fixed).toString());
    }

    @Test
    void aTermOfWeightZeroCountsNothing() throws IOException {
        Path job = job(
                new double[] {3.8, 4.2, 4.6},
                "  - name: monitored",
                "    kind: atoms",
                "    weight: 0",
                "    reference: ref.csv",
                "    potential: {form: lennard_jones, epsilon: eps, sigma: sigma}");
        assertTrue(warnings(job).isEmpty());
        Files.writeString(dir.resolve("one.csv"), "file,reference_energy\nd0.xyz,-0.01\n");
        Files.writeString(
                job,
                Files.readString(job)
                        .replaceFirst("reference: ref.csv", "reference: one.csv")
                        .replace("weight: 0", "weight: 0.0"));
        // the fit term now holds 1 value; the 3 of the weight-0 term do not count
        assertEquals(1, warnings(job).size(), () -> warnings(job).toString());
        assertTrue(warnings(job).get(0).contains("hold 1 reference value for 2 free parameters"));
    }
}
