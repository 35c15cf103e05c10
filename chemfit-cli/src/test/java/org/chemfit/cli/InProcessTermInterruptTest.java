package org.chemfit.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.journal.read.TermRecord;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Stops a real {@code chemfit fit} in its own JVM while an in-process term runs a relaxation that
 * would take many minutes (a cluster of 150 argon atoms relaxed with FIRE to a force tolerance it
 * never reaches, ten million steps): the relaxation stops at its next step, and the command writes
 * results.json, prints its closing lines with the resume hint and exits, on the fit's own thread
 * (one worker) as on a worker of its pool (two workers). A relaxation that went on would hold the
 * command until the shutdown hook's wait of {@value Interrupts#WAIT_SECONDS} s ran out, and the JVM
 * would then end with nothing written.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class InProcessTermInterruptTest {

    /**
     * How long the command may take to stop: generous beside the second or so it takes (a JVM
     * writing results.json and a journal), and below the {@value Interrupts#WAIT_SECONDS} s after
     * which the shutdown hook would let the JVM end without the results.
     */
    private static final long STOP_SECONDS = 45;

    @TempDir
    Path tmp;

    private void writeJob(int workers) throws Exception {
        // 150 atoms of a 6 x 5 x 5 grid 3.8 Angstrom apart, each moved by up to 0.2 Angstrom
        Random rnd = new Random(11);
        StringBuilder xyz = new StringBuilder("150\nargon cluster\n");
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 5; j++) {
                for (int k = 0; k < 5; k++) {
                    xyz.append(String.format(
                            Locale.ROOT,
                            "Ar %.4f %.4f %.4f%n",
                            3.8 * i + 0.4 * (rnd.nextDouble() - 0.5),
                            3.8 * j + 0.4 * (rnd.nextDouble() - 0.5),
                            3.8 * k + 0.4 * (rnd.nextDouble() - 0.5)));
                }
            }
        }
        Files.writeString(tmp.resolve("cluster.xyz"), xyz);
        Files.writeString(tmp.resolve("dimer.xyz"), "2\nargon dimer\nAr 0 0 0\nAr 0 0 3.9\n");
        Files.writeString(tmp.resolve("cluster.csv"), "file,reference_energy\ncluster.xyz,-40.0\n");
        Files.writeString(tmp.resolve("dimer.csv"), "file,reference_energy\ndimer.xyz,-0.0099\n");
        Files.writeString(tmp.resolve("fit.yaml"), """
                parameters:
                  lj: {epsilon: {initial: 0.0104, bounds: [0.001, 0.1]}, sigma: {initial: 3.4, bounds: [3.0, 4.0]}}
                terms:
                  - name: dimer
                    kind: atoms
                    reference: dimer.csv
                    potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}
                  - name: cluster
                    kind: atoms
                    reference: cluster.csv
                    relax: {method: fire, fmax: 1.0e-30, steps: 10000000}
                    potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}
                optimizer: {max_evaluations: 100}
                execution: {workers: %d}
                output: {folder: out, plots: false}
                """.formatted(workers));
    }

    @ParameterizedTest(name = "{0} worker(s), SIG{1}")
    @CsvSource({"1, TERM, 143", "2, INT, 130"})
    void aRelaxationThatWouldRunForMinutesStopsAndTheFitWritesItsResults(int workers, String signal, int code)
            throws Exception {
        writeJob(workers);
        Process p = InterruptIT.start(tmp, "fit", "fit.yaml", "--progress", "log", "--progress-interval", "0.2");
        try {
            // the dimer is in the journal, and the progress line shows the cluster's relaxation running
            await().atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(100))
                    .ignoreExceptions()
                    .failFast(() -> assertTrue(p.isAlive(), () -> InterruptIT.output(tmp)))
                    .untilAsserted(() -> {
                        try (JournalReader j = JournalReader.openReadOnly(tmp.resolve("out"))) {
                            assertEquals(1, j.terms(1).size());
                        }
                        assertTrue(Files.readString(tmp.resolve("stderr.txt")).contains(", 1 term running, "));
                    });
            if (signal.equals("TERM")) {
                InterruptIT.sigterm(p);
            } else {
                InterruptIT.sigint(p);
            }
            assertTrue(
                    p.waitFor(STOP_SECONDS, TimeUnit.SECONDS),
                    "chemfit did not stop within " + STOP_SECONDS + " s of SIG" + signal + "\n"
                            + InterruptIT.output(tmp));
        } finally {
            p.destroyForcibly();
        }
        String out = InterruptIT.output(tmp);
        assertEquals(code, p.exitValue(), out);
        JsonNode res =
                new ObjectMapper().readTree(tmp.resolve("out/results.json").toFile());
        assertEquals("interrupted", res.get("status").asText(), out);
        assertEquals(0, res.at("/evaluations/total").asInt(), out);
        assertTrue(out.contains("fit: interrupted after 0 evaluations, "), out);
        assertTrue(
                out.contains(
                        "run the same command to resume: 1 finished term of 1 evaluation cut off is in the journal\n"),
                out);
        // the relaxation that was stopped is not recorded as finished: a resume runs it again
        try (JournalReader j = JournalReader.openReadOnly(tmp.resolve("out"))) {
            List<TermRecord> terms = j.terms(1);
            assertEquals(List.of("dimer"), terms.stream().map(TermRecord::name).toList(), out);
        }
    }
}
