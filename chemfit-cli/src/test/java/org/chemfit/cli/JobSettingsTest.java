package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What identifies a job in its journal: the structures an atoms term's reference CSV lists are
 * hashed beside the CSV, so that a moved atom is another job; and the job file is read as the job
 * reader reads it, so that an open bound written {@code .inf} is taken, not refused by a second
 * reader.
 */
class JobSettingsTest {

    @TempDir
    Path tmp;

    private Path job(String bounds) throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data/dimers"));
        for (String r : List.of("3.5", "4.0", "5.0")) {
            Files.writeString(data.resolve("ar2_" + r + ".xyz"), "2\n\nAr 0 0 0\nAr " + r + " 0 0\n");
        }
        Files.writeString(
                tmp.resolve("data/energies.csv"),
                "file,reference_energy,tag\ndimers/ar2_3.5.xyz,-120,a\ndimers/ar2_4.0.xyz,-90,b\n"
                        + "dimers/ar2_5.0.xyz,-30,c\n");
        Path job = tmp.resolve("fit.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters:",
                        "  lj:",
                        "    epsilon: {initial: 100.0, bounds: " + bounds + "}",
                        "    sigma: {initial: 3.2, bounds: [2.5, 4.5]}",
                        "terms:",
                        "  - name: curve",
                        "    kind: atoms",
                        "    reference: data/energies.csv",
                        "    potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}",
                        "optimizer: {max_evaluations: 8}",
                        "output: {folder: out, plots: false}",
                        ""));
        return job;
    }

    private static Map<String, Object> settings(Path job) {
        return JobSettings.of(JobFile.read(job));
    }

    @Test
    void theStructuresOfAnAtomsTermAreHashedBesideItsCsv() throws Exception {
        Path job = job("[10.0, 400.0]");
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) settings(job).get("data");
        assertEquals(
                List.of(
                        "data/dimers/ar2_3.5.xyz",
                        "data/dimers/ar2_4.0.xyz",
                        "data/dimers/ar2_5.0.xyz",
                        "data/energies.csv"),
                List.copyOf(data.keySet()));
        Object before = data.get("data/dimers/ar2_4.0.xyz");
        Files.writeString(tmp.resolve("data/dimers/ar2_4.0.xyz"), "2\n\nAr 0 0 0\nAr 4.2 0 0\n");
        @SuppressWarnings("unchecked")
        Map<String, Object> after = (Map<String, Object>) settings(job).get("data");
        assertNotEquals(before, after.get("data/dimers/ar2_4.0.xyz"), "a moved atom is another job");
        assertEquals(data.get("data/energies.csv"), after.get("data/energies.csv"));
    }

    @Test
    void anOpenBoundWrittenInfIsReadAsTheJobReaderReadsIt() throws Exception {
        Path job = job("[10.0, .inf]");
        @SuppressWarnings("unchecked")
        Map<String, Object> file = (Map<String, Object>) settings(job).get("file");
        Map<?, ?> lj = (Map<?, ?>) ((Map<?, ?>) file.get("parameters")).get("lj");
        Map<?, ?> epsilon = (Map<?, ?>) lj.get("epsilon");
        assertEquals(List.of(10.0, Double.POSITIVE_INFINITY), epsilon.get("bounds"));
        assertTrue(!file.containsKey("output"), "where the results go is no part of the job");
    }
}
